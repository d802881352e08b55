import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';
import QRCode from 'qrcode';
import { warsawDeadline } from '../sms/message.js';

/**
 * The paper notice a resident may ask for at the counter (issue 16): what to collect, where, until when, the
 * pickup code and the QR code of contracts.md §3 (`URZ1;<lockerId>;<phone>;<code>`) that the kiosk scans.
 *
 * It can only be made at the moment the code is drawn (a registration or a new code): the office keeps no code,
 * only its MAC, so there is nothing to print from later. The PDF is made in memory from the code in hand, sent
 * as the answer to the clerk's request and never written anywhere: not to the database, the disk or the log.
 */
export interface NoticeInput {
  readonly lockerId: string;
  readonly lockerName: string;
  readonly caseRef: string;
  readonly documentName: string;
  readonly phone: string;
  readonly code: string;
  readonly expiresAt: Date;
  /** A new code: the notice says the earlier one no longer works. */
  readonly newCode?: boolean;
}

/** The text of the QR code the kiosk reads (contracts.md §3). */
export const noticeQrText = (lockerId: string, phone: string, code: string): string => `URZ1;${lockerId};${phone};${code}`;

/** How the QR is drawn: error correction M, a quiet zone of 4 modules, 8 pixels a module, black on white. */
export const noticeQrOptions = { errorCorrectionLevel: 'M', margin: 4, scale: 8, color: { dark: '#000000ff', light: '#ffffffff' } } as const;

export function noticeQrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', ...noticeQrOptions });
}

/** A file name for the notice: the case reference with anything but letters, digits, dots and dashes made `-`. */
export function noticeFileName(caseRef: string): string {
  const safe = caseRef.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return `zawiadomienie-${safe === '' ? 'dokument' : safe}.pdf`;
}

/** Polish letters the PDF's standard font (WinAnsi) lacks, and their plain forms. */
const plain: Readonly<Record<string, string>> = {
  ą: 'a', ć: 'c', ę: 'e', ł: 'l', ń: 'n', ś: 's', ź: 'z', ż: 'z', Ą: 'A', Ć: 'C', Ę: 'E', Ł: 'L', Ń: 'N', Ś: 'S', Ź: 'Z', Ż: 'Z',
  '’': "'", '„': '"', '”': '"', '–': '-', '—': '-',
};

/**
 * What the standard font can draw of a text: its own characters as they are (ó, é, §), Polish letters it lacks
 * without their marks, anything else without marks or dropped. (Embedding a font with every Polish letter would
 * take fontkit and a font file, neither of which the project carries.)
 */
function drawable(font: PDFFont, s: string): string {
  const known = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of s) {
    if (known.has(ch.codePointAt(0)!)) out += ch;
    else if (plain[ch] !== undefined) out += plain[ch];
    else {
      const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += [...bare].every((c) => known.has(c.codePointAt(0)!)) ? bare : ch.trim() === '' ? ' ' : '';
    }
  }
  return out;
}

/** Splits a text into lines no wider than `width` at `size`. */
function wrap(font: PDFFont, s: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/)) {
    const next = line === '' ? word : `${line} ${word}`;
    if (font.widthOfTextAtSize(next, size) <= width || line === '') line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const maskPhone = (phone: string): string => `*** *** ${phone.slice(-3)}`;

/** The notice as PDF bytes (one A4 page). */
export async function noticePdf(n: NoticeInput): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Zawiadomienie ${n.caseRef}`);
  pdf.setSubject('Dokument do odbioru w urzedomacie');
  pdf.setCreator('urzedomat');
  pdf.setProducer('urzedomat');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const mono = await pdf.embedFont(StandardFonts.CourierBold);
  const qr = await pdf.embedPng(await noticeQrPng(noticeQrText(n.lockerId, n.phone, n.code)));

  const page = pdf.addPage([595.28, 841.89]);
  const left = 56;
  const width = 595.28 - 2 * left;
  let y = 841.89 - 64;
  const black = rgb(0, 0, 0);
  const grey = rgb(0.3, 0.3, 0.3);
  const put = (s: string, o: { size?: number; f?: PDFFont; color?: typeof black; gap?: number } = {}): void => {
    const size = o.size ?? 11;
    const f = o.f ?? font;
    for (const line of wrap(f, drawable(f, s), size, width)) {
      page.drawText(line, { x: left, y, size, font: f, color: o.color ?? black });
      y -= size * 1.35;
    }
    y -= o.gap ?? 0;
  };

  put(n.newCode === true ? 'Nowy kod odbioru dokumentu z urzędomatu' : 'Zawiadomienie: dokument do odbioru w urzędomacie', { size: 18, f: bold });
  put(n.newCode === true ? 'New pickup code for your document in the locker' : 'Notice: your document is waiting in the locker', { size: 12, color: grey, gap: 12 });

  const rows: Array<[string, string]> = [
    ['Dokument / Document', n.documentName],
    ['Sprawa / Case', n.caseRef],
    ['Urzędomat / Locker', n.lockerName],
    ['Odbiór do / Collect by', warsawDeadline(n.expiresAt)],
    ['Telefon / Phone', maskPhone(n.phone)],
  ];
  for (const [label, value] of rows) {
    page.drawText(drawable(bold, label), { x: left, y, size: 11, font: bold });
    const lines = wrap(font, drawable(font, value), 11, width - 170);
    for (const line of lines) {
      page.drawText(line, { x: left + 170, y, size: 11, font });
      y -= 15;
    }
  }
  y -= 14;
  put('Kod odbioru / Pickup code', { size: 11, f: bold });
  page.drawText(n.code, { x: left, y: y - 18, size: 34, font: mono });
  y -= 56;

  const side = 200;
  page.drawImage(qr, { x: left, y: y - side, width: side, height: side });
  y -= side + 18;

  put('Jak odebrać: przy urzędomacie zeskanuj ten kod QR albo wpisz numer telefonu podany w urzędzie i kod odbioru. Skrytka otworzy się sama.', { gap: 4 });
  put('How to collect: at the locker, scan this QR code or type the phone number you gave the office and the pickup code. The compartment opens by itself.', { color: grey, gap: 10 });
  if (n.newCode === true) {
    put('Poprzedni kod odbioru już nie działa.', { f: bold });
    put('The earlier pickup code no longer works.', { color: grey, gap: 10 });
  }
  put('Zachowaj to zawiadomienie dla siebie: kod otwiera skrytkę z Twoim dokumentem. Urząd nie przechowuje kodu ani tego zawiadomienia.', { gap: 4 });
  put('Keep this notice to yourself: the code opens the compartment holding your document. The office keeps neither the code nor this notice.', { color: grey });

  return pdf.save();
}
