// A few DOM helpers: elements from tag, attributes and children; tables; labelled inputs.

type Child = Node | string | number | null | undefined | false;

export function h(tag: string, attributes: Record<string, any> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'style' && typeof value === 'object') Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function table(headers: string[], rows: Child[][], attributes: Record<string, any> = {}): HTMLElement {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, ...(rows.length ? rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))
      : [h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'nothing yet'))])));
}

export function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

export function select(id: string, options: [string, string][], value?: string): HTMLSelectElement {
  const element = h('select', { id }, ...options.map(([key, text]) => h('option', { value: key, selected: key === value }, text))) as HTMLSelectElement;
  return element;
}

export function replace(container: HTMLElement, ...children: Child[]) {
  container.replaceChildren(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

// A line telling the outcome of an action: green when it worked, red with the error's name.
export function outcome(element: HTMLElement, ok: boolean, message: string) {
  element.className = ok ? 'outcome ok' : 'outcome error';
  element.textContent = message;
}

// Runs `action` with `button` disabled, so a double click cannot send a transaction twice.
export async function once(button: HTMLButtonElement | null, action: () => Promise<void>) {
  if (button?.disabled) return;
  if (button) button.disabled = true;
  try { await action(); } finally { if (button) button.disabled = false; }
}

// Replaces `container`'s content only when `key` (what it shows) changed: rows a person is
// about to click do not move under the pointer at every block.
export function replaceIfChanged(container: HTMLElement, key: string, render: () => Node) {
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  replace(container, render());
}
