import type { FastifyReply, FastifyRequest } from 'fastify';
import { issueNewCode, registerDocument, revokeDocument, setDeadline, type ChangeOutcome } from '../../documents.js';
import { html } from '../html.js';
import { say } from '../i18n.js';
import { sendPage } from '../layout.js';
import { noticeFileName, noticePdf, type NoticeInput } from '../notice-pdf.js';
import type { PanelArea } from '../plugin.js';
import { detailPage, loadRecord } from './document-detail.js';
import { blankForm, checkForm, deadlineOf, formPage, loadChoices, one, previewPage, readForm, refusalError } from './document-form.js';
import { listPage } from './document-list.js';

/**
 * The documents of the clerks' panel (issue 16): the list (`/`), registering one (`/documents/new`, a preview of
 * what the resident will receive, then `POST /documents`), and one document's page with its history and the
 * actions its status allows (revoke, new code, new deadline).
 */
export const documentPages: PanelArea = (app, ctx) => {
  /**
   * Forms already sent, by clerk and form id: a second send of the same filled form (a double click, the back
   * button after the notice) goes to the document registered the first time instead of registering it twice.
   * In this node's memory for an hour: a desk's double submission comes back to the same node.
   */
  const sent = new Map<string, { at: number; id?: string }>();
  const forget = (now: number): void => {
    for (const [k, v] of sent) if (now - v.at > 3_600_000) sent.delete(k);
  };

  const actor = (req: FastifyRequest): string => `clerk:${req.clerk!.login}`;
  const page = (id: string, done: string): string => `/documents/${encodeURIComponent(id)}?done=${done}`;

  const sendNotice = async (req: FastifyRequest, reply: FastifyReply, n: NoticeInput): Promise<FastifyReply> => {
    const pdf = await noticePdf(n);
    req.log.info({ bytes: pdf.length }, 'resident notice made (code not kept)');
    return reply
      .code(200)
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${noticeFileName(n.caseRef)}"`)
      .send(Buffer.from(pdf));
  };

  app.get('/', async (req, reply) => listPage(req, reply, ctx));

  app.get('/documents/new', async (req, reply) => {
    const choices = await loadChoices(ctx);
    return formPage(req, reply, ctx, choices, blankForm(ctx, choices));
  });

  // "Back to edit" from the preview: the form again, filled in as it was.
  app.post('/documents/new', async (req, reply) => formPage(req, reply, ctx, await loadChoices(ctx), readForm(req.body)));

  app.post('/documents/preview', async (req, reply) => {
    const choices = await loadChoices(ctx);
    const values = readForm(req.body);
    const checked = checkForm(ctx, values, choices);
    if (checked.registration === undefined) return formPage(req, reply, ctx, choices, values, checked.errors, 422);
    return previewPage(req, reply, values, checked);
  });

  app.post('/documents', async (req, reply) => {
    const choices = await loadChoices(ctx);
    const values = readForm(req.body);
    const checked = checkForm(ctx, values, choices);
    if (checked.registration === undefined) return formPage(req, reply, ctx, choices, values, checked.errors, 422);

    const key = `${req.clerk!.login}:${values.formId}`;
    const now = Date.now();
    forget(now);
    const earlier = sent.get(key);
    if (earlier?.id !== undefined) return reply.redirect(page(earlier.id, 'already'), 303);
    if (earlier !== undefined) return reply.code(409).header('content-type', 'text/plain; charset=utf-8').send('This form is being sent already; wait a moment and open the list of documents.');
    const entry: { at: number; id?: string } = { at: now };
    sent.set(key, entry);

    // The code exists only here, in memory, between its drawing and this answer: the office keeps only its MAC
    // (contracts.md §7.3). So the paper notice is made now or never, from the code handed over by
    // registerDocument after the commit, sent back as this very answer and not written anywhere.
    const drawn: { code?: string; phone?: string } = {};
    const out = await registerDocument(ctx, checked.registration, actor(req), {
      withCode: values.notice
        ? (code, phone) => {
            drawn.code = code;
            drawn.phone = phone;
          }
        : undefined,
    });
    if (!out.ok) {
      sent.delete(key);
      const [field, words] = refusalError(out.error);
      req.log.info({ refusal: out.error }, 'panel registration refused');
      return formPage(req, reply, ctx, choices, values, { [field]: words }, 422);
    }
    entry.id = out.id;
    req.log.info({ document: out.id, lockerId: checked.registration.lockerId, clerk: req.clerk!.login, notice: values.notice }, 'document registered in the panel');
    if (drawn.code === undefined || drawn.phone === undefined) return reply.redirect(page(out.id, 'registered'), 303);
    try {
      return await sendNotice(req, reply, {
        lockerId: checked.registration.lockerId, lockerName: checked.lockerName!, caseRef: checked.registration.caseRef,
        documentName: `${checked.type!.namePl} / ${checked.type!.nameEn}`, phone: drawn.phone, code: drawn.code, expiresAt: new Date(out.expiresAt),
      });
    } catch (e) {
      req.log.error({ document: out.id, err: e instanceof Error ? e.name : 'error' }, 'resident notice could not be made');
      return reply.redirect(page(out.id, 'notice-failed'), 303);
    } finally {
      delete drawn.code;
      delete drawn.phone;
    }
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/documents/:id', async (req, reply) => {
    const d = await loadRecord(ctx, req.params.id);
    if (d === undefined) return notFound(req, reply);
    return detailPage(req, reply, ctx, d, { done: one(req.query, 'done') || undefined });
  });

  /** After an action: back to the page, with what happened or why nothing did. */
  const after = (reply: FastifyReply, id: string, outcome: ChangeOutcome, done: string): FastifyReply =>
    outcome.ok ? reply.redirect(page(id, done), 303) : outcome.error === 'not-found' ? reply.redirect('/', 303) : reply.redirect(page(id, 'not-allowed'), 303);

  app.post<{ Params: { id: string } }>('/documents/:id/revoke', async (req, reply) => {
    const d = await loadRecord(ctx, req.params.id);
    if (d === undefined) return notFound(req, reply);
    const reason = one(req.body, 'reason').trim();
    if (reason === '' || reason.length > 200) {
      const words = reason === '' ? { pl: 'Podaj powód wycofania.', en: 'Give the reason for revoking.' } : { pl: 'Powód może mieć najwyżej 200 znaków.', en: 'The reason may have at most 200 characters.' };
      return detailPage(req, reply, ctx, d, { errors: { reason: words }, status: 422, reason });
    }
    const outcome = await revokeDocument(ctx, d.id, reason, actor(req));
    if (outcome.ok) req.log.info({ document: d.id, clerk: req.clerk!.login }, 'document revoked in the panel');
    return after(reply, d.id, outcome, 'revoked');
  });

  app.post<{ Params: { id: string } }>('/documents/:id/new-code', async (req, reply) => {
    const d = await loadRecord(ctx, req.params.id);
    if (d === undefined) return notFound(req, reply);
    const notice = one(req.body, 'notice') !== '';
    // As at registration: the new code is in hand only now (see POST /documents).
    const drawn: { code?: string; phone?: string } = {};
    const outcome = await issueNewCode(ctx, d.id, actor(req), {
      withCode: notice
        ? (code, phone) => {
            drawn.code = code;
            drawn.phone = phone;
          }
        : undefined,
    });
    if (!outcome.ok || drawn.code === undefined || drawn.phone === undefined) {
      if (outcome.ok) req.log.info({ document: d.id, clerk: req.clerk!.login }, 'new code issued in the panel');
      return after(reply, d.id, outcome, 'new-code');
    }
    req.log.info({ document: d.id, clerk: req.clerk!.login, notice: true }, 'new code issued in the panel');
    try {
      return await sendNotice(req, reply, {
        lockerId: d.locker_id, lockerName: d.locker_name, caseRef: d.case_ref, documentName: `${d.name_pl ?? d.document_type} / ${d.name_en ?? d.document_type}`,
        phone: drawn.phone, code: drawn.code, expiresAt: d.expires_at, newCode: true,
      });
    } catch (e) {
      req.log.error({ document: d.id, err: e instanceof Error ? e.name : 'error' }, 'resident notice could not be made');
      return reply.redirect(page(d.id, 'notice-failed'), 303);
    } finally {
      delete drawn.code;
      delete drawn.phone;
    }
  });

  app.post<{ Params: { id: string } }>('/documents/:id/deadline', async (req, reply) => {
    const d = await loadRecord(ctx, req.params.id);
    if (d === undefined) return notFound(req, reply);
    const day = one(req.body, 'deadline').trim();
    const deadline = deadlineOf(ctx.now(), day, 'today');
    if ('error' in deadline) return detailPage(req, reply, ctx, d, { errors: { deadline: deadline.error }, status: 422, deadline: day });
    const outcome = await setDeadline(ctx, d.id, deadline.at, actor(req));
    if (outcome.ok) req.log.info({ document: d.id, clerk: req.clerk!.login }, 'deadline changed in the panel');
    return after(reply, d.id, outcome, 'deadline');
  });
};

function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPage(req, reply, {
    title: { pl: 'Nie ma takiego dokumentu', en: 'No such document' },
    body: html`<p><a href="/">${say(req.lang, { pl: '← Wszystkie dokumenty', en: '← All documents' })}</a></p>`,
    status: 404,
  });
}
