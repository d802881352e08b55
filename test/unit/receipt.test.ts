import { describe, expect, it } from 'vitest';
import { receiptSvg, receiptText } from '../../src/core/receipt.js';

describe('receipt', () => {
  const r = { id: 'R-0A1B2C3D4E5F', authorizationId: 'A-1', compartment: 7, at: '2026-11-25T10:01:00.000Z' };

  it('carries what the office needs and nothing that identifies the resident', () => {
    expect(receiptText('czestochowa-focha-1', r)).toBe('URZR1;czestochowa-focha-1;R-0A1B2C3D4E5F;A-1;7;2026-11-25T10:01:00.000Z');
  });

  it('renders as an SVG QR code', async () => {
    const svg = await receiptSvg('czestochowa-focha-1', r);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    // A different receipt gives a different code.
    expect(await receiptSvg('czestochowa-focha-1', { ...r, id: 'R-FFFFFFFFFFFF' })).not.toBe(svg);
  });
});
