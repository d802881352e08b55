import type { DocumentType } from '../wire/policy.js';
import type { Db } from './open.js';

interface Row {
  code: string;
  name_pl: string;
  name_en: string;
  locker_release: number;
  legal_basis: string;
}

/** The catalogue of document types, as the office's feed and the seed migration left it. */
export class DocumentTypes {
  private readonly byCode;

  constructor(db: Db) {
    this.byCode = db.prepare('SELECT code, name_pl, name_en, locker_release, legal_basis FROM document_type WHERE code = ?');
  }

  get(code: string): DocumentType | undefined {
    const r = this.byCode.get(code) as Row | undefined;
    return r === undefined ? undefined : { code: r.code, namePl: r.name_pl, nameEn: r.name_en, lockerRelease: r.locker_release === 1, legalBasis: r.legal_basis };
  }
}
