// A search field with suggestions, after the WAI-ARIA 1.2 combobox pattern
// ("list autocomplete", https://www.w3.org/WAI/ARIA/apg/patterns/combobox/):
//   ↓/↑ move through the suggestions (focus stays in the field, aria-activedescendant points
//   at the active one), Enter picks the active one (or the first), Escape closes the list or,
//   when it is closed, clears the field. The number of suggestions is announced politely.
// Suggestions with a `group` are shown under a visible heading per group (`groupLabel`), each
// group a role=group named by its heading, as in the APG's "grouped listbox"; the arrow keys
// go through all the options across the groups. A `detail` is a second, smaller line of the
// option (part of its name). Groups need a <div> listbox; a <ul> one gets plain <li> options.

let counter = 0;

export class Combobox {
  /**
   * @param {object} o
   * @param {HTMLInputElement} o.input  role=combobox, aria-controls = the listbox's id
   * @param {HTMLElement} o.listbox     role=listbox
   * @param {(text: string) => void} o.announce   writes to a polite live region
   * @param {(text: string, signal: AbortSignal) => Promise<{label: string, value: any, detail?: string, group?: string, groupLabel?: string}[]>} o.search
   * @param {(option: {label: string, value: any}) => void} o.onSelect
   * @param {(key: string, vars?: object) => string} o.t
   * @param {HTMLElement} [o.message]  shows "no address matches" (and a failure) on screen too
   */
  constructor({ input, listbox, announce, search, onSelect, t, message = null, minChars = 2, delay = 120 }) {
    Object.assign(this, { input, listbox, announce, search, onSelect, t, message, minChars, delay });
    this.options = [];
    this.items = []; // the option elements, in option order
    this.active = -1;
    this.timer = 0;
    this.pending = false; // a search for the current text has not answered yet
    this.pickFirst = false; // Enter came before the answer
    this.controller = null;
    this.prefix = `cb${++counter}-opt`;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listbox.id);
    listbox.setAttribute('role', 'listbox');
    input.addEventListener('input', () => this.schedule());
    input.addEventListener('keydown', (e) => this.onKey(e));
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    input.addEventListener('focus', () => { if (this.options.length && this.input.value.trim()) this.open(); });
    // Keep the focus in the field when an option is clicked.
    listbox.addEventListener('mousedown', (e) => e.preventDefault());
    listbox.addEventListener('click', (e) => {
      const li = e.target.closest('[role=option]');
      if (li) this.pick(Number(li.dataset.index));
    });
  }

  get isOpen() {
    return this.input.getAttribute('aria-expanded') === 'true';
  }

  schedule() {
    clearTimeout(this.timer);
    this.pickFirst = false;
    const text = this.input.value.trim();
    this.say('');
    // Suggestions for what was typed before are gone at once: Enter never picks a stale one.
    if (this.options.length) this.setOptions([]);
    if (text.length < this.minChars) {
      this.controller?.abort();
      this.pending = false;
      return;
    }
    this.pending = true;
    this.timer = setTimeout(() => this.run(text), this.delay);
  }

  async run(text) {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    try {
      const options = await this.search(text, controller.signal);
      if (controller.signal.aborted || this.input.value.trim() !== text) return;
      this.pending = false;
      this.setOptions(options);
      // Enter was pressed before the suggestions came: take the first.
      if (this.pickFirst) {
        this.pickFirst = false;
        if (options.length) {
          this.pick(0);
          return;
        }
      }
      this.announce(options.length
        ? this.t('search.suggestions', { count: options.length })
        : this.t('search.no_suggestions'));
      this.say(options.length ? '' : this.t('search.no_suggestions'));
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.pending = false;
      this.pickFirst = false;
      this.setOptions([]);
      this.announce(this.t('search.failed'));
      this.say(this.t('search.failed'));
    }
  }

  /** The visible line under the field (the live region has already said it). */
  say(text) {
    if (this.message && this.message.textContent !== text) this.message.textContent = text;
  }

  setOptions(options) {
    this.options = options;
    this.active = -1;
    const tag = this.listbox.matches('ul, ol') ? 'li' : 'div';
    this.items = options.map((o, i) => {
      const el = document.createElement(tag);
      el.id = `${this.prefix}-${i}`;
      el.setAttribute('role', 'option');
      el.setAttribute('aria-selected', 'false');
      el.dataset.index = String(i);
      el.textContent = o.label;
      if (o.detail) {
        const detail = document.createElement('span');
        detail.className = 'option-detail';
        // The comma is heard, not seen: the detail is a line of its own.
        const comma = document.createElement('span');
        comma.className = 'visually-hidden';
        comma.textContent = ', ';
        detail.append(comma, o.detail);
        el.append(detail);
      }
      return el;
    });
    this.listbox.replaceChildren(...(tag === 'div' && options.some((o) => o.group) ? this.grouped() : this.items));
    this.input.removeAttribute('aria-activedescendant');
    if (options.length && document.activeElement === this.input) this.open();
    else this.close();
  }

  /** The option elements in a role=group per run of options of the same group, each with its heading. */
  grouped() {
    const groups = [];
    this.options.forEach((o, i) => {
      let last = groups[groups.length - 1];
      if (!last || last.dataset.group !== (o.group ?? '')) {
        const n = groups.length;
        const heading = document.createElement('div');
        heading.id = `${this.prefix}-g${n}`;
        heading.className = 'combobox-group-label';
        heading.setAttribute('role', 'presentation');
        heading.textContent = o.groupLabel ?? o.group ?? '';
        last = document.createElement('div');
        last.setAttribute('role', 'group');
        last.setAttribute('aria-labelledby', heading.id);
        last.dataset.group = o.group ?? '';
        last.append(heading);
        groups.push(last);
      }
      last.append(this.items[i]);
    });
    return groups;
  }

  open() {
    if (!this.options.length) return;
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.setActive(-1);
  }

  setActive(i) {
    const { items } = this;
    if (this.active >= 0 && items[this.active]) items[this.active].setAttribute('aria-selected', 'false');
    this.active = i;
    if (i < 0 || !items[i]) {
      this.input.removeAttribute('aria-activedescendant');
      return;
    }
    items[i].setAttribute('aria-selected', 'true');
    this.input.setAttribute('aria-activedescendant', items[i].id);
    // The first option of a group brings its heading into view too.
    const group = items[i].parentElement;
    if (group !== this.listbox && group.querySelector('[role=option]') === items[i]) {
      group.firstElementChild.scrollIntoView({ block: 'nearest' });
    }
    items[i].scrollIntoView({ block: 'nearest' });
  }

  move(step) {
    if (!this.options.length) return;
    if (!this.isOpen) this.open();
    const n = this.options.length;
    const next = this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n;
    this.setActive(next);
  }

  onKey(e) {
    if (e.isComposing) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (e.altKey) this.open();
        else this.move(1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        if (e.altKey) this.close();
        else this.move(-1);
        break;
      case 'Enter':
        if (this.isOpen && this.options.length) {
          e.preventDefault();
          this.pick(this.active >= 0 ? this.active : 0);
        } else if (this.pending) {
          e.preventDefault();
          this.pickFirst = true;
        }
        break;
      case 'Escape':
        this.pickFirst = false;
        if (this.isOpen) {
          e.preventDefault();
          this.close();
        } else if (this.input.value) {
          e.preventDefault();
          this.input.value = '';
          this.setOptions([]);
        }
        break;
      case 'Tab':
        this.close();
        break;
      default:
    }
  }

  pick(i) {
    const o = this.options[i];
    if (!o) return;
    this.input.value = o.label;
    this.setOptions([]);
    this.onSelect(o);
  }
}
