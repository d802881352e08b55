import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfficeContext } from '../../context.js';
import { addStaff, deactivateStaff, findStaff, listStaff, pinPattern, setStaffPin, staffIdPattern, staffRoles, type StaffMember, type StaffRole } from '../../staff.js';
import { html, type Html } from '../html.js';
import { say, when, type Lang, type Words } from '../i18n.js';
import { csrfField, sendPage } from '../layout.js';
import type { PanelArea } from '../plugin.js';
import { adminOnly, field, fields } from './admin-only.js';

/**
 * Staff who load the lockers (issue 16, admins only): the list, adding a member, a new PIN, deactivation. A PIN
 * goes from the form straight into office/staff.ts, which turns it into each locker's pinMac: it is never
 * stored, logged, or written back into a page (a refused form comes back with both PIN fields empty).
 */

const roleNames: Record<StaffRole, Words> = {
  loader: { pl: 'ładujący', en: 'loader' },
  retriever: { pl: 'wyjmujący', en: 'retriever' },
  supervisor: { pl: 'kierownik', en: 'supervisor' },
};

const roleHints: Record<StaffRole, Words> = {
  loader: { pl: 'wkłada dokumenty do skrytek i wyjmuje przeterminowane lub wycofane', en: 'puts documents in and takes expired or revoked ones back' },
  retriever: { pl: 'tylko wyjmuje dokumenty przeterminowane lub wycofane', en: 'only takes expired or revoked documents back' },
  supervisor: { pl: 'te same czynności co ładujący', en: 'the same as a loader' },
};

const roleName = (lang: Lang, r: string): string => (Object.hasOwn(roleNames, r) ? say(lang, roleNames[r as StaffRole]) : r);

type FieldName = 'id' | 'name' | 'pin' | 'pin2' | 'roles';
type Errors = Partial<Record<FieldName, Words>>;

/** What a refused form shows again: never the PINs. */
interface AddForm {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
}

const words = {
  required: { pl: 'To pole jest wymagane.', en: 'This field is required.' },
  idInvalid: { pl: 'Identyfikator: od 1 do 64 znaków, litery bez polskich znaków, cyfry, kropki, myślniki lub podkreślenia (np. S-12).', en: 'ID: 1 to 64 characters, letters without diacritics, digits, dots, dashes or underscores (e.g. S-12).' },
  idTaken: { pl: 'Pracownik o tym identyfikatorze już istnieje: ustaw mu nowy PIN na jego stronie.', en: 'A member of staff with this ID exists already: set a new PIN on their page.' },
  nameInvalid: { pl: 'Imię i nazwisko: do 200 znaków, bez znaków sterujących.', en: 'Name: up to 200 characters, no control characters.' },
  pinInvalid: { pl: 'PIN to od 4 do 8 cyfr.', en: 'A PIN is 4 to 8 digits.' },
  pinMismatch: { pl: 'Oba wpisy PIN-u muszą być takie same.', en: 'The two PIN entries must be the same.' },
  rolesMissing: { pl: 'Wybierz co najmniej jedną rolę.', en: 'Choose at least one role.' },
  fix: { pl: 'Nic nie zostało zmienione. Popraw zaznaczone pola i wpisz PIN ponownie.', en: 'Nothing was changed. Correct the marked fields and enter the PIN again.' },
} satisfies Record<string, Words>;

function checkPins(pin: string, pin2: string, errors: Errors): void {
  if (pin === '') errors.pin = words.required;
  else if (!pinPattern.test(pin)) errors.pin = words.pinInvalid;
  else if (pin2 !== pin) errors.pin2 = words.pinMismatch;
}

function checkRoles(roles: readonly string[], errors: Errors): StaffRole[] {
  const chosen = staffRoles.filter((r) => roles.includes(r));
  if (chosen.length === 0) errors.roles = words.rolesMissing;
  return chosen;
}

/** A labelled input with its hint and its error, tied to it for screen readers. */
function input(lang: Lang, o: { id: string; label: Words; error?: Words | undefined; hint?: Words | undefined; attrs: Html }): Html {
  const described = [o.hint ? `${o.id}-hint` : '', o.error ? `${o.id}-error` : ''].filter((x) => x !== '').join(' ');
  return html`<div><label for="${o.id}">${say(lang, o.label)}</label>
<input id="${o.id}" ${o.attrs}${described === '' ? '' : html` aria-describedby="${described}"`}${o.error ? html` aria-invalid="true"` : ''}>
${o.hint ? html`<p class="hint" id="${o.id}-hint">${say(lang, o.hint)}</p>` : ''}${o.error ? html`<p class="notice error" id="${o.id}-error">${say(lang, o.error)}</p>` : ''}</div>`;
}

function pinInputs(lang: Lang, errors: Errors, labels: { pin: Words; pin2: Words }): Html {
  // Never a value attribute: a PIN is not written into a page, not even back into its own form.
  const attrs = (name: string) => html`name="${name}" type="password" inputmode="numeric" pattern="[0-9]{4,8}" minlength="4" maxlength="8" autocomplete="new-password" required`;
  return html`${input(lang, { id: 'pin', label: labels.pin, error: errors.pin, hint: { pl: 'Od 4 do 8 cyfr. Urząd go nie przechowuje: przekaż go pracownikowi osobiście.', en: '4 to 8 digits. The office does not keep it: give it to the member of staff in person.' }, attrs: attrs('pin') })}
${input(lang, { id: 'pin2', label: labels.pin2, error: errors.pin2, attrs: attrs('pin2') })}`;
}

function rolesFieldset(lang: Lang, chosen: readonly string[], error: Words | undefined): Html {
  return html`<fieldset${error ? html` aria-describedby="roles-error"` : ''}><legend>${say(lang, { pl: 'Role', en: 'Roles' })}</legend>
${staffRoles.map(
  (r) => html`<label><input type="checkbox" name="roles" value="${r}"${chosen.includes(r) ? html` checked` : ''}> ${say(lang, roleNames[r])} <span class="hint">(${say(lang, roleHints[r])})</span></label>`,
)}
${error ? html`<p class="notice error" id="roles-error">${say(lang, error)}</p>` : ''}</fieldset>`;
}

/** How many lockers got a change, and what it means when there are none yet. */
function lockersNote(lang: Lang, n: number): string {
  if (n === 0) {
    return say(lang, {
      pl: 'Nie ma jeszcze żadnego urzędomatu: po dodaniu urzędomatu trzeba będzie ustawić PIN ponownie.',
      en: 'There are no lockers yet: once one is added, the PIN will have to be set again.',
    });
  }
  return say(lang, { pl: `Zmianę otrzymały urzędomaty: ${n}; obowiązuje od ich najbliższego pobrania zmian.`, en: `Lockers that got the change: ${n}; it applies from their next pull.` });
}

function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPage(req, reply, {
    title: { pl: 'Nie ma takiego pracownika', en: 'No such member of staff' },
    status: 404,
    body: html`<p><a href="/staff">${say(req.lang, { pl: 'Wróć do listy pracowników', en: 'Back to the staff list' })}</a></p>`,
  });
}

function staffTable(lang: Lang, members: readonly StaffMember[]): Html {
  if (members.length === 0) return html`<p>${say(lang, { pl: 'Nie dodano jeszcze żadnego pracownika.', en: 'No member of staff has been added yet.' })}</p>`;
  return html`<table>
<thead><tr>
<th scope="col">${say(lang, { pl: 'Identyfikator', en: 'ID' })}</th>
<th scope="col">${say(lang, { pl: 'Imię i nazwisko', en: 'Name' })}</th>
<th scope="col">${say(lang, { pl: 'Role', en: 'Roles' })}</th>
<th scope="col">${say(lang, { pl: 'Aktywny', en: 'Active' })}</th>
<th scope="col">${say(lang, { pl: 'Ostatnia zmiana', en: 'Last change' })}</th>
<th scope="col">${say(lang, { pl: 'Działania', en: 'Actions' })}</th>
</tr></thead>
<tbody>
${members.map(
  (m) => html`<tr>
<td>${m.id}</td>
<td>${m.name}</td>
<td>${m.roles.map((r) => roleName(lang, r)).join(', ')}</td>
<td>${m.active ? say(lang, { pl: 'tak', en: 'yes' }) : html`<span class="status">${say(lang, { pl: 'nie', en: 'no' })}</span>`}</td>
<td>${when(lang, m.updatedAt)}</td>
<td><a href="/staff/${encodeURIComponent(m.id)}">${m.active ? say(lang, { pl: `Nowy PIN lub dezaktywacja: ${m.name}`, en: `New PIN or deactivate: ${m.name}` }) : say(lang, { pl: `Przywróć z nowym PIN-em: ${m.name}`, en: `Reinstate with a new PIN: ${m.name}` })}</a></td>
</tr>`,
)}
</tbody>
</table>`;
}

function addForm(req: FastifyRequest, form: AddForm, errors: Errors): Html {
  const lang = req.lang;
  return html`<h2 id="add">${say(lang, { pl: 'Dodaj pracownika', en: 'Add a member of staff' })}</h2>
<form method="post" action="/staff" class="stack" novalidate>
${csrfField(req)}
${input(lang, { id: 'id', label: { pl: 'Identyfikator', en: 'ID' }, error: errors.id, hint: { pl: 'Nadawany raz, np. S-12; pracownik wpisuje go na urzędomacie.', en: 'Given once, e.g. S-12; the member types it at the locker.' }, attrs: html`name="id" value="${form.id}" maxlength="64" autocomplete="off" required` })}
${input(lang, { id: 'name', label: { pl: 'Imię i nazwisko', en: 'Name' }, error: errors.name, attrs: html`name="name" value="${form.name}" maxlength="200" autocomplete="off" required` })}
${pinInputs(lang, errors, { pin: { pl: 'PIN', en: 'PIN' }, pin2: { pl: 'PIN jeszcze raz', en: 'PIN again' } })}
${rolesFieldset(lang, form.roles, errors.roles)}
<div><button type="submit">${say(lang, { pl: 'Dodaj pracownika na wszystkich urzędomatach', en: 'Add at every locker' })}</button></div>
</form>`;
}

const doneWords: Record<string, (id: string) => Words> = {
  added: (id) => ({ pl: `Dodano pracownika ${id}.`, en: `Member of staff ${id} added.` }),
  pin: (id) => ({ pl: `Ustawiono nowy PIN pracownika ${id}.`, en: `New PIN set for ${id}.` }),
  deactivated: (id) => ({ pl: `Dezaktywowano pracownika ${id}: nie zaloguje się na żadnym urzędomacie.`, en: `${id} deactivated: they can no longer log in at any locker.` }),
};

export const staffPages: PanelArea = (app, ctx: OfficeContext) => {
  const listPage = async (req: FastifyRequest, reply: FastifyReply, o: { form?: AddForm; errors?: Errors; notice?: { text: string; error?: boolean } } = {}) =>
    sendPage(req, reply, {
      title: { pl: 'Pracownicy obsługujący urzędomaty', en: 'Staff who serve the lockers' },
      status: o.errors !== undefined ? 422 : 200,
      notice: o.notice,
      body: html`<p>${say(req.lang, {
        pl: 'Pracownicy logują się na urzędomacie identyfikatorem i PIN-em, aby wkładać i wyjmować dokumenty. PIN nie jest nigdzie przechowywany: każdy urzędomat dostaje tylko jego skrót (MAC) obliczony własnym kluczem.',
        en: 'Staff log in at a locker with their ID and PIN to load and take back documents. The PIN is kept nowhere: each locker receives only its MAC, computed with that locker’s own key.',
      })}</p>
${staffTable(req.lang, await listStaff(ctx.db))}
${addForm(req, o.form ?? { id: '', name: '', roles: ['loader'] }, o.errors ?? {})}`,
    });

  app.get<{ Querystring: { done?: string; id?: string; n?: string } }>('/staff', { preHandler: adminOnly }, async (req, reply) => {
    const { done, id, n } = req.query;
    const make = typeof done === 'string' && Object.hasOwn(doneWords, done) ? doneWords[done] : undefined;
    const notice =
      make !== undefined && typeof id === 'string' && staffIdPattern.test(id) && typeof n === 'string' && /^\d{1,6}$/.test(n)
        ? { text: `${say(req.lang, make(id))} ${lockersNote(req.lang, Number(n))}` }
        : undefined;
    return listPage(req, reply, { notice });
  });

  app.post('/staff', { preHandler: adminOnly }, async (req, reply) => {
    const id = field(req.body, 'id').trim();
    const name = field(req.body, 'name').trim();
    const pin = field(req.body, 'pin');
    const pin2 = field(req.body, 'pin2');
    const errors: Errors = {};
    if (id === '') errors.id = words.required;
    else if (!staffIdPattern.test(id)) errors.id = words.idInvalid;
    if (name === '') errors.name = words.required;
    else if (name.length > 200 || /\p{Cc}/u.test(name)) errors.name = words.nameInvalid;
    checkPins(pin, pin2, errors);
    const roles = checkRoles(fields(req.body, 'roles'), errors);
    const form = { id, name, roles: fields(req.body, 'roles') };
    if (Object.keys(errors).length === 0) {
      const r = await addStaff(ctx, { id, name, pin, roles });
      if (r.ok) {
        req.log.info({ staffId: id, lockers: r.lockers, by: req.clerk?.login }, 'panel: staff added');
        return reply.redirect(`/staff?done=added&id=${encodeURIComponent(id)}&n=${r.lockers}`, 303);
      }
      errors.id = words.idTaken;
    }
    return listPage(req, reply, { form, errors, notice: { text: say(req.lang, words.fix), error: true } });
  });

  const memberPage = (req: FastifyRequest, reply: FastifyReply, m: StaffMember, o: { errors?: Errors; roles?: readonly string[] } = {}) => {
    const lang = req.lang;
    const errors = o.errors ?? {};
    const path = `/staff/${encodeURIComponent(m.id)}`;
    return sendPage(req, reply, {
      title: { pl: `Pracownik ${m.name}`, en: `Member of staff: ${m.name}` },
      status: o.errors !== undefined ? 422 : 200,
      notice: o.errors !== undefined ? { text: say(lang, words.fix), error: true } : undefined,
      body: html`<dl>
<dt>${say(lang, { pl: 'Identyfikator', en: 'ID' })}</dt><dd>${m.id}</dd>
<dt>${say(lang, { pl: 'Role', en: 'Roles' })}</dt><dd>${m.roles.map((r) => roleName(lang, r)).join(', ')}</dd>
<dt>${say(lang, { pl: 'Aktywny', en: 'Active' })}</dt><dd>${m.active ? say(lang, { pl: 'tak', en: 'yes' }) : say(lang, { pl: 'nie (dezaktywowany)', en: 'no (deactivated)' })}</dd>
<dt>${say(lang, { pl: 'Dodany', en: 'Added' })}</dt><dd>${when(lang, m.createdAt)}</dd>
<dt>${say(lang, { pl: 'Ostatnia zmiana', en: 'Last change' })}</dt><dd>${when(lang, m.updatedAt)}</dd>
</dl>
<h2>${m.active ? say(lang, { pl: 'Nowy PIN', en: 'New PIN' }) : say(lang, { pl: 'Przywróć z nowym PIN-em', en: 'Reinstate with a new PIN' })}</h2>
<p class="hint">${say(lang, {
        pl: 'Role zmienia się razem z PIN-em: urzędomat dostaje je w jednej wiadomości, a PIN-u urząd nie przechowuje.',
        en: 'Roles change together with the PIN: a locker receives both in one message, and the office does not keep the PIN.',
      })}</p>
<form method="post" action="${path}" class="stack" novalidate>
${csrfField(req)}
${pinInputs(lang, errors, { pin: { pl: 'Nowy PIN', en: 'New PIN' }, pin2: { pl: 'Nowy PIN jeszcze raz', en: 'New PIN again' } })}
${rolesFieldset(lang, o.roles ?? m.roles, errors.roles)}
<div><button type="submit">${m.active ? say(lang, { pl: `Ustaw nowy PIN: ${m.name}`, en: `Set a new PIN for ${m.name}` }) : say(lang, { pl: `Przywróć ${m.name} z nowym PIN-em`, en: `Reinstate ${m.name} with this PIN` })}</button></div>
</form>
${m.active ? html`<h2>${say(lang, { pl: 'Dezaktywacja', en: 'Deactivation' })}</h2>
<p><a href="${path}/deactivate">${say(lang, { pl: `Dezaktywuj ${m.name}…`, en: `Deactivate ${m.name}…` })}</a></p>` : ''}
<p><a href="/staff">${say(lang, { pl: 'Wróć do listy pracowników', en: 'Back to the staff list' })}</a></p>`,
    });
  };

  const member = async (raw: string): Promise<StaffMember | undefined> => (staffIdPattern.test(raw) ? findStaff(ctx.db, raw) : undefined);

  app.get<{ Params: { id: string } }>('/staff/:id', { preHandler: adminOnly }, async (req, reply) => {
    const m = await member(req.params.id);
    return m === undefined ? notFound(req, reply) : memberPage(req, reply, m);
  });

  app.post<{ Params: { id: string } }>('/staff/:id', { preHandler: adminOnly }, async (req, reply) => {
    const m = await member(req.params.id);
    if (m === undefined) return notFound(req, reply);
    const errors: Errors = {};
    const pin = field(req.body, 'pin');
    checkPins(pin, field(req.body, 'pin2'), errors);
    const roles = checkRoles(fields(req.body, 'roles'), errors);
    if (Object.keys(errors).length > 0) return memberPage(req, reply, m, { errors, roles: fields(req.body, 'roles') });
    const r = await setStaffPin(ctx, { id: m.id, pin, roles });
    if (!r.ok) return notFound(req, reply);
    req.log.info({ staffId: m.id, lockers: r.lockers, reinstated: !m.active, by: req.clerk?.login }, 'panel: staff PIN set');
    return reply.redirect(`/staff?done=pin&id=${encodeURIComponent(m.id)}&n=${r.lockers}`, 303);
  });

  app.get<{ Params: { id: string } }>('/staff/:id/deactivate', { preHandler: adminOnly }, async (req, reply) => {
    const m = await member(req.params.id);
    if (m === undefined) return notFound(req, reply);
    const lang = req.lang;
    const path = `/staff/${encodeURIComponent(m.id)}`;
    const lockers = (await ctx.lockers.allIds()).length;
    return sendPage(req, reply, {
      title: { pl: `Dezaktywować ${m.name}?`, en: `Deactivate ${m.name}?` },
      body: m.active
        ? html`<p>${say(lang, {
            pl: `${m.name} (${m.id}) nie zaloguje się na żadnym urzędomacie (${lockers}) od ich najbliższego pobrania zmian. Można go później przywrócić, ustawiając nowy PIN.`,
            en: `${m.name} (${m.id}) will no longer log in at any locker (${lockers}) from their next pull. They can be reinstated later by setting a new PIN.`,
          })}</p>
<form method="post" action="${path}/deactivate" class="inline">${csrfField(req)}<button type="submit" class="danger">${say(lang, { pl: `Tak, dezaktywuj ${m.name} na wszystkich urzędomatach`, en: `Yes, deactivate ${m.name} at every locker` })}</button></form>
<a href="${path}">${say(lang, { pl: 'Anuluj', en: 'Cancel' })}</a>`
        : html`<p>${say(lang, { pl: `${m.name} jest już nieaktywny.`, en: `${m.name} is inactive already.` })}</p><p><a href="${path}">${say(lang, { pl: 'Wróć', en: 'Back' })}</a></p>`,
    });
  });

  app.post<{ Params: { id: string } }>('/staff/:id/deactivate', { preHandler: adminOnly }, async (req, reply) => {
    const m = await member(req.params.id);
    if (m === undefined) return notFound(req, reply);
    if (!m.active) return reply.redirect(`/staff/${encodeURIComponent(m.id)}`, 303);
    const r = await deactivateStaff(ctx, m.id);
    if (r === false) return notFound(req, reply);
    req.log.info({ staffId: m.id, lockers: r.lockers, by: req.clerk?.login }, 'panel: staff deactivated');
    return reply.redirect(`/staff?done=deactivated&id=${encodeURIComponent(m.id)}&n=${r.lockers}`, 303);
  });
};
