/*
 * The schema codec: decode fields from the cursor, format an operation as
 * one trace line, and parse trace lines back into the bytes that decode to
 * them. One schema drives all three, so they cannot drift apart.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "props.h"

void props_decode(const struct props_opdef *d, struct mm_cursor *c, struct props_op *op)
{
	/* Work on locals and store once: under UBSan every access through a
	 * pointer argument is an alignment check, which the fuzzer traces as a
	 * comparison; the inlined draws on a local cursor need none. */
	struct mm_cursor k = *c;
	uint64_t v[PROPS_MAX_FIELDS];
	uint32_t n = d->nfields < PROPS_MAX_FIELDS ? d->nfields : PROPS_MAX_FIELDS;
	const struct props_field *fields = d->fields;

	for (uint32_t i = 0; i < n; i++) {
		struct props_field f;

		memcpy(&f, &fields[i], sizeof(f)); /* one copy, no check per member */
		switch (f.kind) {
		case PF_ENUM: {
			uint32_t idx = cur_choice(&k, f.n);
			v[i] = f.values ? f.values[idx] : idx;
			break;
		}
		case PF_BOOL:
			v[i] = cur_bool(&k);
			break;
		default:
			v[i] = cur_range(&k, f.lo, f.hi);
			break;
		}
	}
	/* every value, zeros past the fields: the caller need not clear op.
	 * Stored one by one: a clear and a copy (or one copy) per operation
	 * would each be an ASan-checked library call. */
	for (uint32_t i = n; i < PROPS_MAX_FIELDS; i++)
		v[i] = 0;
	_Static_assert(PROPS_MAX_FIELDS == 16, "one store per value below");
	op->v[0] = v[0];
	op->v[1] = v[1];
	op->v[2] = v[2];
	op->v[3] = v[3];
	op->v[4] = v[4];
	op->v[5] = v[5];
	op->v[6] = v[6];
	op->v[7] = v[7];
	op->v[8] = v[8];
	op->v[9] = v[9];
	op->v[10] = v[10];
	op->v[11] = v[11];
	op->v[12] = v[12];
	op->v[13] = v[13];
	op->v[14] = v[14];
	op->v[15] = v[15];
	*c = k;
}

/* Index of an enum value in its field (n if absent). */
static uint32_t enum_index(const struct props_field *f, uint64_t v)
{
	if (!f->values)
		return v < f->n ? (uint32_t)v : f->n;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->values[i] == v)
			return i;
	return f->n;
}

int props_format(const struct props_opdef *d, const struct props_op *op, char *buf, size_t len)
{
	size_t n = 0;
	int w = snprintf(buf, len, "%s", d->name);
	if (w < 0)
		return 0;
	n = (size_t)w;
	for (uint32_t i = 0; i < d->nfields && i < PROPS_MAX_FIELDS; i++) {
		const struct props_field *f = &d->fields[i];
		char *at = n < len ? buf + n : NULL;
		size_t room = n < len ? len - n : 0;
		uint32_t idx;
		switch (f->kind) {
		case PF_ENUM:
			idx = enum_index(f, op->v[i]);
			if (idx < f->n)
				w = snprintf(at, room, " %s=%s", f->name, f->names[idx]);
			else
				w = snprintf(at, room, " %s=%" PRIu64, f->name, op->v[i]);
			break;
		case PF_BOOL:
			w = snprintf(at, room, " %s=%s", f->name, op->v[i] ? "true" : "false");
			break;
		default:
			w = snprintf(at, room, f->fmt == PF_HEX ? " %s=%#" PRIx64 : " %s=%" PRIu64,
				     f->name, op->v[i]);
			break;
		}
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return (int)n;
}

/* Parse one "key=value" token into op->v for d; 0 or -1 with err. */
static int parse_token(const struct props_opdef *d, const char *tok, struct props_op *op,
		       bool *seen, char *err, size_t errlen)
{
	const char *eq = strchr(tok, '=');
	size_t klen = eq ? (size_t)(eq - tok) : 0;
	const char *val = eq ? eq + 1 : "";
	char *end;

	if (!eq) {
		snprintf(err, errlen, "'%s' is not key=value", tok);
		return -1;
	}
	for (uint32_t i = 0; i < d->nfields; i++) {
		const struct props_field *f = &d->fields[i];
		unsigned long long v;
		if (strlen(f->name) != klen || strncmp(f->name, tok, klen) != 0)
			continue;
		seen[i] = true;
		if (f->kind == PF_BOOL) {
			if (!strcmp(val, "true") || !strcmp(val, "1"))
				op->v[i] = 1;
			else if (!strcmp(val, "false") || !strcmp(val, "0"))
				op->v[i] = 0;
			else
				goto bad;
			return 0;
		}
		if (f->kind == PF_ENUM) {
			for (uint32_t k = 0; k < f->n; k++) {
				if (!strcmp(f->names[k], val)) {
					op->v[i] = f->values ? f->values[k] : k;
					return 0;
				}
			}
		}
		errno = 0;
		v = strtoull(val, &end, 0);
		if (errno || end == val || *end)
			goto bad;
		if (f->kind == PF_ENUM) {
			if (enum_index(f, v) >= f->n)
				goto bad;
		} else if (v < f->lo || v > f->hi) {
			snprintf(err, errlen, "%s=%s outside [%#" PRIx64 ", %#" PRIx64 "]", f->name,
				 val, f->lo, f->hi);
			return -1;
		}
		op->v[i] = v;
		return 0;
	bad:
		snprintf(err, errlen, "bad value '%s' for field %s of %s", val, f->name, d->name);
		return -1;
	}
	snprintf(err, errlen, "%s has no field '%.*s'", d->name, (int)klen, tok);
	return -1;
}

/* Parse one line's fields after the name; 0 or -1. */
static int parse_fields(const struct props_opdef *d, char *rest, struct props_op *op,
			char *err, size_t errlen)
{
	bool seen[PROPS_MAX_FIELDS] = { false };
	char *save = NULL;

	/* Defaults: what an all-zero input decodes to. */
	for (uint32_t i = 0; i < d->nfields; i++) {
		const struct props_field *f = &d->fields[i];
		op->v[i] = f->kind == PF_RANGE ? f->lo : f->kind == PF_ENUM && f->values ? f->values[0] : 0;
	}
	for (char *tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		if (parse_token(d, tok, op, seen, err, errlen))
			return -1;
	return 0;
}

/* Encode op's fields with the inverse of props_decode. */
static void encode_fields(const struct props_opdef *d, const struct props_op *op,
			  struct props_enc *e)
{
	for (uint32_t i = 0; i < d->nfields && i < PROPS_MAX_FIELDS; i++) {
		const struct props_field *f = &d->fields[i];
		switch (f->kind) {
		case PF_ENUM:
			enc_choice(e, f->n, enum_index(f, op->v[i]));
			break;
		case PF_BOOL:
			enc_bool(e, op->v[i] != 0);
			break;
		default:
			enc_range(e, f->lo, f->hi, op->v[i]);
			break;
		}
	}
}

int props_encode_trace(const struct props_harness *h, const char *text, struct props_enc *e,
		       char *err, size_t errlen)
{
	char *copy = strdup(text ? text : ""), *save = NULL;
	int lineno = 0, ret = 0;
	bool have_config = false;
	struct props_op op;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *name, *rest;
		lineno++;
		if (hash)
			*hash = '\0';
		name = line + strspn(line, " \t\r");
		rest = name + strcspn(name, " \t\r");
		if (*rest)
			*rest++ = '\0';
		for (char *p = rest; *p; p++)
			if (*p == '\r')
				*p = ' ';
		if (!*name)
			continue;
		memset(&op, 0, sizeof(op));
		if (!strcmp(name, h->config.name)) {
			if (have_config) {
				snprintf(err, errlen, "line %d: second config line", lineno);
				ret = -1;
				break;
			}
			if (parse_fields(&h->config, rest, &op, err, errlen)) {
				ret = -1;
				break;
			}
			encode_fields(&h->config, &op, e);
			have_config = true;
			continue;
		}
		if (!have_config) {
			/* an omitted config line means the all-default config */
			struct props_op defaults;
			char empty[1] = "";
			memset(&defaults, 0, sizeof(defaults));
			parse_fields(&h->config, empty, &defaults, err, errlen);
			encode_fields(&h->config, &defaults, e);
			have_config = true;
		}
		for (op.kind = 0; op.kind < h->nr_ops; op.kind++)
			if (!strcmp(h->ops[op.kind].name, name))
				break;
		if (op.kind == h->nr_ops) {
			snprintf(err, errlen, "line %d: unknown operation '%s' for harness %s", lineno,
				 name, h->name);
			ret = -1;
			break;
		}
		if (parse_fields(&h->ops[op.kind], rest, &op, err, errlen)) {
			size_t n = strlen(err);
			snprintf(err + n, errlen > n ? errlen - n : 0, " (line %d)", lineno);
			ret = -1;
			break;
		}
		enc_u8(e, (uint8_t)op.kind); /* the tag byte: kind = byte % nr_ops */
		encode_fields(&h->ops[op.kind], &op, e);
	}
	free(copy);
	if (!ret && e->oom) {
		snprintf(err, errlen, "out of memory");
		ret = -1;
	}
	return ret;
}
