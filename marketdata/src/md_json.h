/*
 * md_json.h — internal: marketdata's names for the project's JSON cursor (tt_json.h).
 * A thin wrapper so the scanners keep their short names; the one scanner lives in
 * engine/core (tt_json.h, json.c). The only translation is of error codes: the cursor
 * records generic TT_JSON_E_* codes and marketdata's own TT_MD_PE_* ones (as
 * TT_JSON_E_USER + code); tt__mdj_finish() turns either back into a TT_MD_PE_* code.
 */
#ifndef TT_MD_JSON_H
#define TT_MD_JSON_H

#include "tt_json.h"
#include "tt_md.h"

#define mdj tt_json	/* struct mdj is struct tt_json */

/* TT_MD_PE_* → the cursor's code space. */
static inline uint32_t tt__mdj_code(uint32_t md)
{
	switch (md) {
	case TT_MD_PE_NONE: return TT_JSON_E_NONE;
	case TT_MD_PE_TRUNCATED: return TT_JSON_E_TRUNCATED;
	case TT_MD_PE_SYNTAX: return TT_JSON_E_SYNTAX;
	case TT_MD_PE_TYPE: return TT_JSON_E_TYPE;
	case TT_MD_PE_ESCAPE: return TT_JSON_E_ESCAPE;
	case TT_MD_PE_RANGE: return TT_JSON_E_RANGE;
	case TT_MD_PE_NESTING: return TT_JSON_E_NESTING;
	case TT_MD_PE_TRAILING: return TT_JSON_E_TRAILING;
	default: return TT_JSON_E_USER + md;
	}
}

static inline bool tt__mdj_fail(struct tt_json *c, uint32_t md_code, const char *at)
{
	return tt_json_fail(c, tt__mdj_code(md_code), at);
}

int tt__mdj_finish(const struct tt_json *c, struct tt_md_perr *err, const char *what);
/* Symbol equality, ASCII case-insensitive (instr.c). */
bool tt__md_sym_eq(const struct tt_md_instr *in, const char *s, size_t n);

#define tt__mdj_skip_value tt_json_skip_value
#define mdj_init tt_json_init
#define mdj_ws tt_json_ws
#define mdj_val tt_json_val
#define mdj_expect tt_json_expect
#define mdj_str tt_json_str
#define mdj_obj_begin tt_json_obj_begin
#define mdj_obj_next tt_json_obj_next
#define mdj_string tt_json_string
#define mdj_u64 tt_json_u64
#define mdj_i64 tt_json_i64
#define mdj_bool tt_json_bool
#define mdj_end tt_json_end
#define mdj_key1 tt_json_key1

#endif /* TT_MD_JSON_H */
