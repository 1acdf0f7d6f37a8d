/*
 * md_json.c — marketdata's error report from the shared JSON cursor (md_json.h): maps the
 * cursor's code back to TT_MD_PE_* and leaves the tt_err_set trail.
 */
#include "md_json.h"

#include "tt_err.h"

int tt__mdj_finish(const struct tt_json *c, struct tt_md_perr *err, const char *what)
{
	static const uint32_t from_json[TT_JSON_E_COUNT] = {
		[TT_JSON_E_NONE] = TT_MD_PE_NONE,	    [TT_JSON_E_TRUNCATED] = TT_MD_PE_TRUNCATED,
		[TT_JSON_E_SYNTAX] = TT_MD_PE_SYNTAX,	    [TT_JSON_E_TYPE] = TT_MD_PE_TYPE,
		[TT_JSON_E_ESCAPE] = TT_MD_PE_ESCAPE,	    [TT_JSON_E_RANGE] = TT_MD_PE_RANGE,
		[TT_JSON_E_NESTING] = TT_MD_PE_NESTING,	    [TT_JSON_E_TRAILING] = TT_MD_PE_TRAILING,
	};
	uint32_t code = c->code;

	if (code >= TT_JSON_E_USER)
		code -= TT_JSON_E_USER;
	else if (code < TT_JSON_E_COUNT)
		code = from_json[code];
	else
		code = TT_MD_PE_SYNTAX;
	err->code = code;
	err->pos = c->pos;
	return tt_err_set(-TT_EPROTO, "%s: %s at byte %u", what, tt_md_perr_str(code), c->pos);
}
