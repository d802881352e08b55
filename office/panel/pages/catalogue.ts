import type { FastifyReply, FastifyRequest } from 'fastify';
import { hardDeniedCodes, hardDenyReason, type DocumentType, type HardDenyReason } from '../../../src/wire/policy.js';
import {
  documentTypeCodePattern, findDocumentType, limits, listCatalogue, openDocumentsOfType, saveDocumentType,
  type CatalogueEntry, type CatalogueField, type CatalogueProblem,
} from '../../catalogue.js';
import type { OfficeContext } from '../../context.js';
import { html, type Html } from '../html.js';
import { say, when, type Lang, type Words } from '../i18n.js';
import { csrfField, sendPage } from '../layout.js';
import type { PanelArea } from '../plugin.js';
import { adminOnly, field } from './admin-only.js';

/**
 * The catalogue of document types (issue 16, admins only): names in both languages, whether a locker may release
 * the type, and the legal basis. Every save reaches every locker's feed (office/catalogue.ts). The hard deny list
 * of src/wire/policy.ts is shown and cannot be lifted here: a type it refuses is saved only as kept at the counter.
 */

/** Why the deny list refuses a type: short for the table, long for the form's error and the list itself. */
export const denyReasons: Record<HardDenyReason, { short: Words; long: Words }> = {
  'identity-document': {
    short: { pl: 'dokument tożsamości', en: 'identity document' },
    long: {
      pl: 'dokument tożsamości (dowód osobisty, e-dowód, karta pobytu) wydaje się wyłącznie osobiście, w okienku',
      en: 'an identity document (identity card, e-ID, residence card) is handed over in person only, at the counter',
    },
  },
  'travel-document': {
    short: { pl: 'paszport lub dokument podróży', en: 'passport or travel document' },
    long: { pl: 'paszport i każdy inny dokument podróży odbiera się osobiście, w okienku', en: 'a passport or any other travel document is collected in person, at the counter' },
  },
  'decision-needs-signed-receipt': {
    short: { pl: 'doręczenie za pokwitowaniem', en: 'needs a signed receipt' },
    long: {
      pl: 'decyzję lub postanowienie doręcza się za pokwitowaniem z podpisem i datą (KPA, art. 46 § 1), a urzędomat nie przyjmuje podpisu',
      en: 'a decision or ruling is delivered against a receipt with signature and date (Code of Administrative Procedure, art. 46 § 1), and a locker takes no signature',
    },
  },
  'mixed-script': {
    short: { pl: 'nazwa miesza alfabety', en: 'name mixes scripts' },
    long: {
      pl: 'nazwa łączy w jednym słowie litery łacińskie z literami innego alfabetu (np. cyrylickie „а” w słowie „pаszport”), czego nie robi żadna prawdziwa nazwa dokumentu',
      en: 'the name mixes Latin letters with letters of another script in one word (e.g. a Cyrillic “а” in “pаssport”), which no genuine document name does',
    },
  },
};

type Errors = Partial<Record<CatalogueField, Words>>;

function problemWords(p: CatalogueProblem): Words {
  switch (p.problem) {
    case 'required':
      return { pl: 'To pole jest wymagane.', en: 'This field is required.' };
    case 'too-long': {
      const max = p.field === 'code' ? limits.code : p.field === 'legalBasis' ? limits.legalBasis : limits.name;
      return { pl: `Najwyżej ${max} znaków.`, en: `At most ${max} characters.` };
    }
    case 'code-invalid':
      return {
        pl: 'Kod: małe litery bez polskich znaków i cyfry, słowa połączone pojedynczymi myślnikami, np. odpis-skrocony-aktu-urodzenia.',
        en: 'Code: lowercase letters without diacritics and digits, words joined by single dashes, e.g. odpis-skrocony-aktu-urodzenia.',
      };
    case 'control-characters':
      return { pl: 'Bez znaków sterujących.', en: 'No control characters.' };
    case 'hard-denied': {
      const r = denyReasons[p.reason].long;
      return {
        pl: `Tego rodzaju dokumentu urzędomat nie może wydawać: ${r.pl}. Listy zakazów nie można znieść w katalogu; zapisz wpis bez zaznaczenia tego pola (dokument będzie wydawany w okienku).`,
        en: `A locker may not release this type: ${r.en}. The deny list cannot be lifted in the catalogue; save the entry with this box unticked (the document is handed over at the counter).`,
      };
    }
  }
}

/** The form as sent, trimmed; the code comes from the URL when editing (it never changes). */
function typeFrom(body: unknown, code: string): DocumentType {
  return {
    code,
    namePl: field(body, 'namePl').trim(),
    nameEn: field(body, 'nameEn').trim(),
    lockerRelease: field(body, 'lockerRelease') === 'yes',
    legalBasis: field(body, 'legalBasis').trim().replace(/\r\n/g, '\n'),
  };
}

function describedBy(id: string, hint: boolean, error: boolean): Html {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter((x) => x !== '').join(' ');
  return html`${ids === '' ? '' : html` aria-describedby="${ids}"`}${error ? html` aria-invalid="true"` : ''}`;
}

const errorOf = (lang: Lang, id: string, e: Words | undefined): Html | string => (e === undefined ? '' : html`<p class="notice error" id="${id}-error">${say(lang, e)}</p>`);

function releaseCell(lang: Lang, t: CatalogueEntry): Html {
  if (t.denied !== undefined) {
    return html`<span class="status">${say(lang, { pl: 'nie', en: 'no' })}</span> — ${say(lang, { pl: 'lista zakazów', en: 'deny list' })}: ${say(lang, denyReasons[t.denied].short)}${
      t.lockerRelease ? html` <span class="hint">(${say(lang, { pl: 'katalog mówi „tak”, ale lista zakazów ma pierwszeństwo', en: 'the catalogue says “yes”, but the deny list prevails' })})</span>` : ''
    }`;
  }
  return t.lockerRelease ? html`${say(lang, { pl: 'tak', en: 'yes' })}` : html`<span class="status">${say(lang, { pl: 'nie', en: 'no' })}</span>`;
}

function catalogueTable(lang: Lang, types: readonly CatalogueEntry[]): Html {
  return html`<table>
<thead><tr>
<th scope="col">${say(lang, { pl: 'Kod', en: 'Code' })}</th>
<th scope="col">${say(lang, { pl: 'Nazwa polska', en: 'Polish name' })}</th>
<th scope="col">${say(lang, { pl: 'Nazwa angielska', en: 'English name' })}</th>
<th scope="col">${say(lang, { pl: 'Wydaje urzędomat', en: 'Locker may release' })}</th>
<th scope="col">${say(lang, { pl: 'Podstawa prawna', en: 'Legal basis' })}</th>
<th scope="col">${say(lang, { pl: 'Ostatnia zmiana', en: 'Last change' })}</th>
<th scope="col">${say(lang, { pl: 'Działania', en: 'Actions' })}</th>
</tr></thead>
<tbody>
${types.map(
  (t) => html`<tr>
<td><code>${t.code}</code></td>
<td lang="pl">${t.namePl}</td>
<td lang="en">${t.nameEn}</td>
<td>${releaseCell(lang, t)}</td>
<td>${t.legalBasis}</td>
<td>${when(lang, t.updatedAt)}</td>
<td><a href="/catalogue/types/${encodeURIComponent(t.code)}">${say(lang, { pl: `Zmień: ${t.namePl}`, en: `Edit: ${t.nameEn}` })}</a></td>
</tr>`,
)}
</tbody>
</table>`;
}

/** The hard deny list, read from the code the lockers run: what it refuses and why, and that it cannot be lifted. */
function denyListSection(lang: Lang): Html {
  const codes = [...hardDeniedCodes].sort();
  return html`<section aria-labelledby="deny-list">
<h2 id="deny-list">${say(lang, { pl: 'Lista zakazów (nie można jej znieść)', en: 'The deny list (cannot be lifted)' })}</h2>
<p>${say(lang, {
    pl: 'Te rodzaje dokumentów nigdy nie trafiają do urzędomatu, cokolwiek mówi katalog: lista jest wbudowana w oprogramowanie urzędu i każdego urzędomatu, który sam sprawdza ją jeszcze raz. Wpis, którego dotyczy, można zapisać w katalogu tylko jako wydawany w okienku.',
    en: 'These document types never go into a locker, whatever the catalogue says: the list is built into the office’s software and into every locker, which checks it again itself. An entry it refuses can be saved in the catalogue only as handed over at the counter.',
  })}</p>
<table>
<thead><tr><th scope="col">${say(lang, { pl: 'Kod', en: 'Code' })}</th><th scope="col">${say(lang, { pl: 'Powód', en: 'Reason' })}</th></tr></thead>
<tbody>
${codes.map((c) => {
  const r = hardDenyReason({ code: c }) ?? 'identity-document';
  return html`<tr><td><code>${c}</code></td><td>${say(lang, denyReasons[r].long)}</td></tr>`;
})}
</tbody>
</table>
<p>${say(lang, {
    pl: 'Sprawdzany jest także każdy kod oraz nazwa polska i angielska (bez względu na wielkość liter, polskie znaki, myślniki i podobne z wyglądu litery innych alfabetów). Odmowę powodują między innymi:',
    en: 'Every code and the Polish and English names are checked as well (whatever the case, diacritics, dashes or look-alike letters of other scripts). Among what is refused:',
  })}</p>
<ul>
<li>${say(lang, denyReasons['identity-document'].short)}: ${say(lang, { pl: '„dowód osobisty” w każdej odmianie, „e-dowód”, „dokument tożsamości”, „karta pobytu”, „identity card”, „ID card”', en: '“dowód osobisty” in any inflection, “e-dowód”, “dokument tożsamości”, “karta pobytu”, “identity card”, “ID card”' })}</li>
<li>${say(lang, denyReasons['travel-document'].short)}: ${say(lang, { pl: 'każde słowo zawierające „paszport” lub „passport”, „dokument podróży”, „travel document”, „laissez-passer”', en: 'any word containing “paszport” or “passport”, “dokument podróży”, “travel document”, “laissez-passer”' })}</li>
<li>${say(lang, denyReasons['decision-needs-signed-receipt'].short)}: ${say(lang, { pl: '„decyzja”, „postanowienie”, „za pokwitowaniem”, „za potwierdzeniem odbioru”, „decision”, „signed receipt”', en: '“decyzja”, “postanowienie”, “za pokwitowaniem”, “za potwierdzeniem odbioru”, “decision”, “signed receipt”' })}</li>
<li>${say(lang, denyReasons['mixed-script'].short)}: ${say(lang, denyReasons['mixed-script'].long)}</li>
</ul>
</section>`;
}

interface FormState {
  readonly type: DocumentType;
  readonly errors: Errors;
  /** Editing an existing entry: the code is shown, not an input. */
  readonly existing?: CatalogueEntry | undefined;
  readonly open?: { pending: number; loaded: number } | undefined;
}

function typeForm(req: FastifyRequest, s: FormState): Html {
  const lang = req.lang;
  const t = s.type;
  const e = s.errors;
  const action = s.existing === undefined ? '/catalogue/new' : `/catalogue/types/${encodeURIComponent(s.existing.code)}`;
  const denied = s.existing === undefined ? undefined : hardDenyReason(s.existing);
  return html`<form method="post" action="${action}" class="stack" novalidate>
${csrfField(req)}
${s.existing === undefined
  ? html`<div><label for="code">${say(lang, { pl: 'Kod', en: 'Code' })}</label>
<input id="code" name="code" value="${t.code}" maxlength="${limits.code}" autocomplete="off" required pattern="${documentTypeCodePattern.source.slice(1, -1)}"${describedBy('code', true, e.code !== undefined)}>
<p class="hint" id="code-hint">${say(lang, { pl: 'Małe litery bez polskich znaków, cyfry i myślniki, np. odpis-skrocony-aktu-urodzenia. Nie można go później zmienić: pod nim system dokumentów rejestruje sprawy.', en: 'Lowercase letters without diacritics, digits and dashes, e.g. odpis-skrocony-aktu-urodzenia. It cannot be changed later: the document system registers cases under it.' })}</p>
${errorOf(lang, 'code', e.code)}</div>`
  : html`<p><strong>${say(lang, { pl: 'Kod (nie można go zmienić)', en: 'Code (cannot be changed)' })}:</strong> <code>${s.existing.code}</code></p>`}
<div><label for="namePl">${say(lang, { pl: 'Nazwa polska', en: 'Polish name' })}</label>
<input id="namePl" name="namePl" lang="pl" value="${t.namePl}" maxlength="${limits.name}" required${describedBy('namePl', false, e.namePl !== undefined)}>
${errorOf(lang, 'namePl', e.namePl)}</div>
<div><label for="nameEn">${say(lang, { pl: 'Nazwa angielska', en: 'English name' })}</label>
<input id="nameEn" name="nameEn" lang="en" value="${t.nameEn}" maxlength="${limits.name}" required${describedBy('nameEn', false, e.nameEn !== undefined)}>
${errorOf(lang, 'nameEn', e.nameEn)}</div>
<div><label><input type="checkbox" id="lockerRelease" name="lockerRelease" value="yes"${t.lockerRelease ? html` checked` : ''}${describedBy('lockerRelease', true, e.lockerRelease !== undefined)}> ${say(lang, { pl: 'Urzędomat może wydawać ten dokument', en: 'A locker may release this document' })}</label>
<p class="hint" id="lockerRelease-hint">${say(lang, {
    pl: 'Bez zaznaczenia dokument wydaje się tylko w okienku. Gdy wycofasz zgodę, urzędomaty po pobraniu zmiany odrzucą oczekujące dokumenty tego rodzaju, a włożone oznaczą do wyjęcia.',
    en: 'Unticked, the document is handed over at the counter only. When you withdraw it, the lockers, once they pull the change, reject waiting documents of this type and mark loaded ones to be taken back.',
  })}${s.open !== undefined && (s.open.pending > 0 || s.open.loaded > 0)
    ? ' ' + say(lang, { pl: `W drodze są teraz dokumenty tego rodzaju: oczekujące ${s.open.pending}, w skrytkach ${s.open.loaded}.`, en: `Documents of this type now on their way: waiting ${s.open.pending}, in compartments ${s.open.loaded}.` })
    : ''}${denied !== undefined ? ' ' + say(lang, { pl: `Ten wpis jest na liście zakazów (${say('pl', denyReasons[denied].short)}): urzędomat go nie wyda.`, en: `This entry is on the deny list (${say('en', denyReasons[denied].short)}): no locker will release it.` }) : ''}</p>
${errorOf(lang, 'lockerRelease', e.lockerRelease)}</div>
<div><label for="legalBasis">${say(lang, { pl: 'Podstawa prawna', en: 'Legal basis' })}</label>
<textarea id="legalBasis" name="legalBasis" rows="3" maxlength="${limits.legalBasis}"${describedBy('legalBasis', true, e.legalBasis !== undefined)}>${t.legalBasis}</textarea>
<p class="hint" id="legalBasis-hint">${say(lang, { pl: 'Np. „Prawo o aktach stanu cywilnego, art. 44”. Pokazywana urzędnikom przy rejestracji dokumentu.', en: 'E.g. “Prawo o aktach stanu cywilnego, art. 44”. Shown to clerks when they register a document.' })}</p>
${errorOf(lang, 'legalBasis', e.legalBasis)}</div>
<div><button type="submit">${s.existing === undefined ? say(lang, { pl: 'Dodaj do katalogu i wyślij do urzędomatów', en: 'Add to the catalogue and send to the lockers' }) : say(lang, { pl: 'Zapisz i wyślij do urzędomatów', en: 'Save and send to the lockers' })}</button>
<a href="/catalogue">${say(lang, { pl: 'Anuluj', en: 'Cancel' })}</a></div>
</form>
<p><a href="/catalogue#deny-list">${say(lang, { pl: 'Lista zakazów', en: 'The deny list' })}</a></p>`;
}

function errorsOf(problems: readonly CatalogueProblem[]): Errors {
  const e: Errors = {};
  for (const p of problems) e[p.field] ??= problemWords(p);
  return e;
}

const fixWords: Words = { pl: 'Nic nie zostało zapisane ani wysłane. Popraw zaznaczone pola.', en: 'Nothing was saved or sent. Correct the marked fields.' };

export const cataloguePages: PanelArea = (app, ctx: OfficeContext) => {
  app.get<{ Querystring: { done?: string; type?: string; n?: string } }>('/catalogue', { preHandler: adminOnly }, async (req, reply) => {
    const lang = req.lang;
    const { done, type, n } = req.query;
    let notice: { text: string } | undefined;
    if ((done === 'added' || done === 'changed' || done === 'unchanged') && typeof type === 'string' && documentTypeCodePattern.test(type) && /^\d{0,6}$/.test(n ?? '')) {
      const count = Number(n ?? 0);
      notice = {
        text:
          done === 'unchanged'
            ? say(lang, { pl: `Wpis ${type} bez zmian: nic nie wysłano.`, en: `Entry ${type} unchanged: nothing was sent.` })
            : say(lang, {
                pl: `${done === 'added' ? 'Dodano' : 'Zapisano'} wpis ${type}. Zmianę otrzymały urzędomaty: ${count}; obowiązuje od ich najbliższego pobrania zmian.`,
                en: `Entry ${type} ${done === 'added' ? 'added' : 'saved'}. Lockers that got the change: ${count}; it applies from their next pull.`,
              }),
      };
    }
    return sendPage(req, reply, {
      title: { pl: 'Katalog rodzajów dokumentów', en: 'Catalogue of document types' },
      notice,
      body: html`<p>${say(lang, {
        pl: 'Rodzaje dokumentów, które urzędnicy mogą rejestrować, i czy urzędomat może je wydawać. Każda zmiana trafia do wszystkich urzędomatów.',
        en: 'The document types clerks may register, and whether a locker may release them. Every change goes to every locker.',
      })}</p>
<p><a href="/catalogue/new">${say(lang, { pl: 'Dodaj rodzaj dokumentu', en: 'Add a document type' })}</a></p>
${catalogueTable(lang, await listCatalogue(ctx.db))}
${denyListSection(lang)}`,
    });
  });

  const newPage = (req: FastifyRequest, reply: FastifyReply, s: FormState) =>
    sendPage(req, reply, {
      title: { pl: 'Nowy rodzaj dokumentu', en: 'New document type' },
      status: Object.keys(s.errors).length > 0 ? 422 : 200,
      notice: Object.keys(s.errors).length > 0 ? { text: say(req.lang, fixWords), error: true } : undefined,
      body: typeForm(req, s),
    });

  const editPage = (req: FastifyRequest, reply: FastifyReply, s: FormState & { existing: CatalogueEntry }) =>
    sendPage(req, reply, {
      title: { pl: `Rodzaj dokumentu: ${s.existing.namePl}`, en: `Document type: ${s.existing.nameEn}` },
      status: Object.keys(s.errors).length > 0 ? 422 : 200,
      notice: Object.keys(s.errors).length > 0 ? { text: say(req.lang, fixWords), error: true } : undefined,
      body: typeForm(req, s),
    });

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    sendPage(req, reply, {
      title: { pl: 'Nie ma takiego rodzaju dokumentu', en: 'No such document type' },
      status: 404,
      body: html`<p><a href="/catalogue">${say(req.lang, { pl: 'Wróć do katalogu', en: 'Back to the catalogue' })}</a></p>`,
    });

  const existing = async (code: string): Promise<CatalogueEntry | undefined> => (documentTypeCodePattern.test(code) ? findDocumentType(ctx.db, code) : undefined);

  app.get('/catalogue/new', { preHandler: adminOnly }, async (req, reply) =>
    newPage(req, reply, { type: { code: '', namePl: '', nameEn: '', lockerRelease: false, legalBasis: '' }, errors: {} }),
  );

  app.post('/catalogue/new', { preHandler: adminOnly }, async (req, reply) => {
    const t = typeFrom(req.body, field(req.body, 'code').trim());
    const r = await saveDocumentType(ctx.db, t, 'create');
    if (r.ok) {
      req.log.info({ documentType: t.code, lockerRelease: t.lockerRelease, lockers: r.lockers, by: req.clerk?.login }, 'panel: catalogue entry added');
      return reply.redirect(`/catalogue?done=added&type=${encodeURIComponent(t.code)}&n=${r.lockers}`, 303);
    }
    if (r.error === 'invalid') logRefusal(req, t, r.problems);
    const errors: Errors = r.error === 'invalid' ? errorsOf(r.problems) : { code: { pl: 'Ten kod już jest w katalogu: zmień istniejący wpis.', en: 'This code is in the catalogue already: edit that entry.' } };
    return newPage(req, reply, { type: t, errors });
  });

  app.get<{ Params: { code: string } }>('/catalogue/types/:code', { preHandler: adminOnly }, async (req, reply) => {
    const e = await existing(req.params.code);
    if (e === undefined) return notFound(req, reply);
    return editPage(req, reply, { type: e, errors: {}, existing: e, open: await openDocumentsOfType(ctx.db, e.code) });
  });

  app.post<{ Params: { code: string } }>('/catalogue/types/:code', { preHandler: adminOnly }, async (req, reply) => {
    const e = await existing(req.params.code);
    if (e === undefined) return notFound(req, reply);
    // The code is the key the document system and every locker know the type by: it comes from the URL only.
    const t = typeFrom(req.body, e.code);
    const r = await saveDocumentType(ctx.db, t, 'update');
    if (r.ok) {
      if (r.changed) req.log.info({ documentType: t.code, lockerRelease: t.lockerRelease, lockers: r.lockers, by: req.clerk?.login }, 'panel: catalogue entry changed');
      return reply.redirect(`/catalogue?done=${r.changed ? 'changed' : 'unchanged'}&type=${encodeURIComponent(t.code)}&n=${r.lockers}`, 303);
    }
    if (r.error === 'not-found') return notFound(req, reply);
    if (r.error === 'invalid') logRefusal(req, t, r.problems);
    return editPage(req, reply, { type: t, errors: r.error === 'invalid' ? errorsOf(r.problems) : {}, existing: e, open: await openDocumentsOfType(ctx.db, e.code) });
  });
};

function logRefusal(req: FastifyRequest, t: DocumentType, problems: readonly CatalogueProblem[]): void {
  const denied = problems.find((p) => p.problem === 'hard-denied');
  if (denied !== undefined && denied.problem === 'hard-denied') {
    req.log.warn({ documentType: t.code, reason: denied.reason, by: req.clerk?.login }, 'panel: catalogue refused to let a locker release a hard-denied type');
  }
}
