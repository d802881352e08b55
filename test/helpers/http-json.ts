/** A request whose answer is read as JSON when it is JSON, as its text otherwise: tests look at both. */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: the raw text */
  }
  return { status: res.status, body: parsed };
}
