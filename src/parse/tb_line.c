/* tb_line.c: single-line grammar of Go text tracebacks (go-formats.md §1.4-1.7). */
#include "../base/common.h"
#include "tb_line.h"
#include "../base/bytes.h"

static inline bool parse_u64(const char *s, size_t n, size_t *i, uint64_t *out)
{
	size_t j = *i;
	uint64_t v = 0;
	if (j >= n || !is_digit(s[j]))
		return false;
	/* 19 digits always fit in 64 bits; more is not a number Go prints. */
	size_t start = j;
	while (j < n && is_digit(s[j])) {
		v = v * 10 + (uint64_t)(s[j] - '0');
		j++;
	}
	if (j - start > 19)
		return false;
	*i = j;
	*out = v;
	return true;
}

bool tb_is_header_start(const char *s, size_t n)
{
	return n > 11 && memcmp(s, "goroutine ", 10) == 0 && is_digit(s[10]);
}

static bool has_at(const char *s, size_t n, size_t i, const char *lit)
{
	size_t l = strlen(lit);
	return i + l <= n && memcmp(s + i, lit, l) == 0;
}

/* Scan a Go-quoted string starting at s[i] == '"'; returns index after the
 * closing quote, or n when unterminated. */
static size_t skip_quoted(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* Parse "k: v, k: v}" pairs (1.26 form always quoted with '": "', 1.27 form
 * quoted only when needed, also ": "). On return *i is after the '}'. */
uint32_t tb_parse_labelset(const char *s, size_t n, size_t *pi, struct tb_label *out, uint32_t max,
			   bool *truncated)
{
	size_t i = *pi;
	uint32_t count = 0;
	while (i < n && s[i] != '}') {
		struct tb_label lab = {0};
		size_t start = i;
		if (s[i] == '"') {
			i = skip_quoted(s, n, i);
			lab.key = slice_make(s + start + 1, i > start + 1 ? i - start - 2 : 0);
			lab.key_quoted = true;
		} else {
			while (i < n && s[i] != ':' && s[i] != '}' && s[i] != ',')
				i++;
			lab.key = slice_make(s + start, i - start);
		}
		if (has_at(s, n, i, ": "))
			i += 2;
		else if (i < n && s[i] == ':')
			i++;
		start = i;
		if (i < n && s[i] == '"') {
			i = skip_quoted(s, n, i);
			lab.val = slice_make(s + start + 1, i > start + 1 ? i - start - 2 : 0);
			lab.val_quoted = true;
		} else {
			while (i < n && s[i] != ',' && s[i] != '}')
				i++;
			lab.val = slice_make(s + start, i - start);
		}
		if (count < max)
			out[count++] = lab;
		else
			*truncated = true;
		if (has_at(s, n, i, ", "))
			i += 2;
		else if (i < n && s[i] == ',')
			i++;
		else if (i < n && s[i] != '}')
			break; /* malformed: stop */
	}
	if (i < n && s[i] == '}')
		i++;
	*pi = i;
	return count;
}

static void parse_labels(const char *s, size_t n, size_t *pi, struct tb_header *h)
{
	h->nlabels += tb_parse_labelset(s, n, pi, h->labels + h->nlabels, TB_MAX_LABELS - h->nlabels,
					&h->labels_truncated);
}

static const char *const durable_reasons[] = {
	"chan receive", "chan send", "select", "sync.WaitGroup.Wait",
};

static void strip_annotations(struct tb_header *h)
{
	struct slice st = h->state;
	for (;;) {
		if (slice_ends(st, " (leaked)")) {
			h->leaked = true;
			st.n -= 9;
		} else if (slice_ends(st, " (scan)")) {
			h->scan = true;
			st.n -= 7;
		} else if (slice_ends(st, " (durable)")) {
			h->durable = true;
			struct slice base = st;
			base.n -= 10;
			bool reason = false;
			for (size_t k = 0; k < ARRAY_LEN(durable_reasons); k++)
				if (slice_eq(base, durable_reasons[k]))
					reason = true;
			if (reason)
				break; /* "chan receive (durable)" is itself a reason (1.25+) */
			st = base;
		} else {
			break;
		}
	}
	h->state = st;
}

bool tb_parse_header(const char *s, size_t n, struct tb_header *h)
{
	/* Everything but the label array, which is only read up to nlabels:
	 * clearing it would cost a kilobyte per goroutine. */
	memset(h, 0, offsetof(struct tb_header, labels));
	if (!tb_is_header_start(s, n))
		return false;
	size_t i = 10;
	if (!parse_u64(s, n, &i, &h->id))
		return false;
	/* " gp=0x.. m=N mp=0x.." or " m=nil" (1.22+) */
	while (i < n && s[i] == ' ' && i + 1 < n && s[i + 1] != '[') {
		if (!(has_at(s, n, i, " gp=") || has_at(s, n, i, " m=") || has_at(s, n, i, " mp=")))
			return false;
		h->has_gp = true;
		i++;
		while (i < n && s[i] != ' ')
			i++;
	}
	if (!has_at(s, n, i, " ["))
		return false;
	i += 2;
	size_t st = i;
	while (i < n && s[i] != ',' && s[i] != ']' && !(s[i] == ' ' && has_at(s, n, i, " labels:{")))
		i++;
	h->state = slice_make(s + st, i - st);
	h->state_text = h->state;
	for (;;) {
		if (i >= n) {
			h->unterminated = true;
			break;
		}
		if (s[i] == ']') {
			i++;
			break;
		}
		if (has_at(s, n, i, " labels:{")) {
			i += 9;
			h->labels_in_brackets = true;
			parse_labels(s, n, &i, h);
			continue;
		}
		/* ", item" */
		i++;
		if (i < n && s[i] == ' ')
			i++;
		size_t it = i;
		while (i < n && s[i] != ',' && s[i] != ']' && !(s[i] == ' ' && has_at(s, n, i, " labels:{")))
			i++;
		struct slice item = slice_make(s + it, i - it);
		size_t k = 0;
		uint64_t v;
		if (slice_ends(item, " minutes") && parse_u64(item.p, item.n, &k, &v)) {
			h->minutes = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
			h->has_minutes = true;
		} else if (slice_eq(item, "locked to thread")) {
			h->locked = true;
		} else if (slice_starts(item, "synctest bubble ") || slice_starts(item, "synctest group ")) {
			h->has_bubble = true;
			h->bubble_is_group = slice_starts(item, "synctest group ");
			k = h->bubble_is_group ? 15 : 16;
			if (parse_u64(item.p, item.n, &k, &v))
				h->bubble = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		}
	}
	if (has_at(s, n, i, " {")) {
		i += 2;
		h->labels_after = true;
		parse_labels(s, n, &i, h);
	}
	if (!h->unterminated && !(i < n && s[i] == ':'))
		h->unterminated = true;
	strip_annotations(h);
	return h->state.n > 0 || !h->unterminated;
}

bool tb_parse_header_memo(struct tb_header_memo *m, const char *s, size_t n, struct tb_header *h)
{
	if (!tb_is_header_start(s, n))
		return tb_parse_header(s, n, h);
	/* the number as tb_parse_header reads it (more than 19 digits: no
	 * header, which it says) */
	size_t i = 10;
	uint64_t id;
	if (!parse_u64(s, n, &i, &id))
		return tb_parse_header(s, n, h);
	const char *tail = s + i;
	size_t tl = n - i;
	/* what follows the number is read the same whatever the number */
	for (uint32_t k = 0; k < m->n; k++) {
		if (m->v[k].len != tl || !bytes_equal(m->v[k].tail, tail, tl))
			continue;
		memcpy(h, &m->v[k].h, offsetof(struct tb_header, labels));
		h->id = id;
		h->state.p = tail + m->v[k].state_off;
		h->state_text.p = tail + m->v[k].text_off;
		return true;
	}
	if (!tb_parse_header(s, n, h))
		return false;
	if (!h->nlabels && !h->labels_truncated && tl <= TB_HEADER_TAIL_MAX && h->state.p >= tail &&
	    h->state_text.p >= tail) {
		uint32_t k = m->n < TB_HEADER_MEMO ? m->n++ : m->next++ % TB_HEADER_MEMO;
		memcpy(m->v[k].tail, tail, tl);
		m->v[k].len = (uint32_t)tl;
		m->v[k].state_off = (uint32_t)(h->state.p - tail);
		m->v[k].text_off = (uint32_t)(h->state_text.p - tail);
		memcpy(&m->v[k].h, h, offsetof(struct tb_header, labels));
	}
	return true;
}

bool tb_parse_func(const char *s, size_t n, struct tb_func *f)
{
	memset(f, 0, sizeof(*f));
	if (!n || s[0] == ' ' || s[0] == '\t')
		return false;
	size_t end = n;
	if (s[n - 1] == ')') {
		const char *open = bytes_rchr(s, n - 1, '(');
		/* "(...)" and "()" and "(0x1, {0x2})": the last '(' opens the
		 * arguments because argument lists never contain '('. A name like
		 * "main.(*T).M" with no args list would end in ')'... only if it has
		 * no arguments, which Go always prints, so this is safe. */
		if (open && open > s) {
			end = (size_t)(open - s);
			f->has_args = true;
			f->args = slice_make(open + 1, n - 1 - (size_t)(open - s) - 1);
			f->inlined = slice_eq(f->args, "...");
		}
	}
	f->name = slice_make(s, end);
	if (!end)
		return false;
	/* Function names have no spaces, except compiler-generated type
	 * functions ("type:.eq.struct { a int }") */
	if (bytes_chr(s, end, ' ') && !(slice_starts(f->name, "type:") || slice_starts(f->name, "type..")))
		return false;
	return true;
}

bool tb_parse_file(const char *s, size_t n, struct tb_file *f)
{
	*f = (struct tb_file){{NULL, 0}, 0, false, NULL};
	size_t i = 0;
	while (i < n && (s[i] == '\t' || s[i] == ' '))
		i++;
	if (i == 0 || i == n)
		return false;
	/* Parse from the right: neither " +0xOFF" nor " fp=.. sp=.. pc=.."
	 * contains a ':', so the last ':' ends the file name, even for paths
	 * with drive letters or spaces. */
	const char *colon = bytes_rchr(s + i, n - i, ':');
	if (!colon)
		return false;
	size_t j = (size_t)(colon - s) + 1, d0 = j;
	uint64_t line = 0;
	while (j < n && is_digit(s[j]))
		line = line * 10 + (uint64_t)(s[j++] - '0');
	if (j == d0 || j - d0 > 10)
		return false;
	if (j != n) {
		/* the rest is " +0x1d" and/or " fp=0x.. sp=0x.. pc=0x.." */
		if (s[j] != ' ' || j + 4 > n)
			return false;
		if (s[j + 1] == '+' && s[j + 2] == '0' && s[j + 3] == 'x') {
			j += 4;
			while (j < n && is_hex(s[j]))
				j++;
		}
		if (j != n) {
			if (j + 4 > n || s[j] != ' ' || s[j + 1] != 'f' || s[j + 2] != 'p' || s[j + 3] != '=')
				return false;
			f->has_pcs = true;
			f->pcs = s + j + 4;
		}
	}
	f->file = slice_make(s + i, (size_t)(colon - s) - i);
	f->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	return true;
}

bool tb_parse_created(const char *s, size_t n, struct tb_created *c)
{
	memset(c, 0, sizeof(*c));
	if (n < 12 || memcmp(s, "created by ", 11) != 0)
		return false;
	size_t i = 11, end = n, j = n;
	/* " in goroutine N" suffix (1.21+) */
	while (j > i && is_digit(s[j - 1]))
		j--;
	if (j < n && j >= i + 14 && memcmp(s + j - 14, " in goroutine ", 14) == 0) {
		size_t k = j;
		if (parse_u64(s, n, &k, &c->parent)) {
			c->has_parent = true;
			end = j - 14;
		}
	}
	c->func = slice_make(s + i, end - i);
	return c->func.n > 0;
}

bool tb_first_arg_word(struct slice args, uint64_t *out)
{
	if (args.n < 3 || args.p[0] != '0' || args.p[1] != 'x')
		return false;
	uint64_t v = 0;
	size_t i = 2;
	for (; i < args.n && is_hex(args.p[i]); i++) {
		char c = args.p[i];
		uint64_t d = is_digit(c) ? (uint64_t)(c - '0') : (uint64_t)((c | 0x20) - 'a' + 10);
		if (i - 2 >= 16)
			return false;
		v = v << 4 | d;
	}
	if (i == 2)
		return false;
	/* "0x0?" marks a possibly stale register value (Go 1.18+): useless
	 * as an identity. */
	if (i < args.n && args.p[i] != ',')
		return false;
	/* Below the first 4 KiB page no platform maps anything: a value that
	 * small is a number (a loop index, a length, a flag), not an object. */
	if (v < 0x1000)
		return false;
	*out = v;
	return true;
}

static size_t put_utf8(char *out, size_t o, size_t outsz, uint32_t r)
{
	char tmp[4];
	size_t k;
	if (r < 0x80) {
		tmp[0] = (char)r;
		k = 1;
	} else if (r < 0x800) {
		tmp[0] = (char)(0xc0 | r >> 6);
		tmp[1] = (char)(0x80 | (r & 0x3f));
		k = 2;
	} else if (r < 0x10000) {
		tmp[0] = (char)(0xe0 | r >> 12);
		tmp[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (r & 0x3f));
		k = 3;
	} else {
		if (r > 0x10ffff)
			r = 0xfffd;
		tmp[0] = (char)(0xf0 | r >> 18);
		tmp[1] = (char)(0x80 | ((r >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((r >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (r & 0x3f));
		k = 4;
	}
	for (size_t j = 0; j < k && o < outsz; j++)
		out[o++] = tmp[j];
	return o;
}

size_t tb_unquote(struct slice s, bool quoted, char *out, size_t outsz)
{
	size_t o = 0;
	if (!quoted) {
		size_t k = MIN(s.n, outsz);
		memcpy(out, s.p, k);
		return k;
	}
	for (size_t i = 0; i < s.n && o < outsz; i++) {
		char c = s.p[i];
		if (c != '\\' || i + 1 >= s.n) {
			out[o++] = c;
			continue;
		}
		char e = s.p[++i];
		int digits = 0;
		switch (e) {
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case 'a': out[o++] = '\a'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'v': out[o++] = '\v'; break;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default: out[o++] = e; break;
		}
		if (!digits)
			continue;
		uint32_t r = 0;
		int got = 0;
		while (got < digits && i + 1 < s.n && is_hex(s.p[i + 1])) {
			char h = s.p[++i];
			r = r << 4 | (uint32_t)(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
			got++;
		}
		if (e == 'x')
			out[o++] = (char)r;
		else
			o = put_utf8(out, o, outsz, r);
	}
	return o;
}
