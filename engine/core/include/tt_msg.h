/*
 * tt_msg.h — the ring messages (DESIGN §3): fixed-size binary structs, one 64-byte cache
 * line each, no pointers, no strings. Prices and quantities are int64 fixed point with the
 * instrument's scale (tt_instr table, config); instruments are small integer ids.
 *
 * Every message starts with struct tt_msg_hdr. Market events carry t_rx: the TSC when
 * tt-md reaped the bytes that completed the frame. Intents carry the t_rx of the event
 * that caused them plus per-hop stamps, so tick-to-trade can be attributed to stages.
 * Layouts are frozen by _Static_assert; changing one means bumping TT_MSG_LAYOUT_VERSION
 * (which feeds the ring layout version, so old peers fail to attach instead of misreading).
 */
#ifndef TT_MSG_H
#define TT_MSG_H

#include <stddef.h>
#include <stdint.h>

#define TT_MSG_LAYOUT_VERSION 1
#define TT_MSG_SIZE 64

typedef int64_t tt_px_t;	/* price, fixed point, instrument's price scale */
typedef int64_t tt_qty_t;	/* quantity, fixed point, instrument's qty scale */
typedef uint16_t tt_instr_t;	/* instrument id, index into the instrument table */
typedef uint64_t tt_tsc_t;	/* TSC ticks (or ns in clock_gettime fallback), see tt_clock.h */

enum tt_msg_kind {
	TT_MSG_NONE = 0,
	TT_MSG_BOOK_TOP = 1,	/* best bid/ask after an update */
	TT_MSG_BOOK_DELTA = 2,	/* one level changed (absolute qty, 0 removes) */
	TT_MSG_TRADE = 3,	/* public trade print */
	TT_MSG_ORDER = 4,	/* strategy → oe: new order intent */
	TT_MSG_CANCEL = 5,	/* strategy → oe: cancel (or replace) intent */
	TT_MSG_EXEC = 6,	/* oe → strategy/analytics: execution report */
	TT_MSG_HEARTBEAT = 7,	/* liveness, carries nothing else */
	TT_MSG_STATUS = 8,	/* instrument status: stale, resync, live */
	TT_MSG_KIND_MAX
};

enum tt_side { TT_SIDE_BUY = 0, TT_SIDE_SELL = 1 };

/* Common header, 24 bytes. seq is per producer (gap detection on side rings). */
struct tt_msg_hdr {
	uint16_t kind;		/* enum tt_msg_kind */
	tt_instr_t instr;	/* instrument id */
	uint32_t flags;		/* kind-specific flags */
	uint64_t seq;		/* producer sequence number, starts at 1 */
	tt_tsc_t t_rx;		/* TSC of the causing market bytes' reap */
};
_Static_assert(sizeof(struct tt_msg_hdr) == 24, "tt_msg_hdr layout");

/* BOOK_TOP and TRADE: h.flags = ticks from t_rx to tt-md's publish (saturating), the
 * "md published" stage stamp. */
struct tt_msg_book_top {
	struct tt_msg_hdr h;
	tt_px_t bid_px;
	tt_qty_t bid_qty;
	tt_px_t ask_px;
	tt_qty_t ask_qty;
	uint64_t update_id;	/* venue book update id after this change */
};

struct tt_msg_book_delta {
	struct tt_msg_hdr h;	/* flags: TT_DELTA_LAST marks the last level of one venue event */
	tt_px_t px;
	tt_qty_t qty;		/* absolute quantity at px; 0 removes the level */
	uint64_t update_id;
	uint8_t side;		/* enum tt_side: BUY = bid level */
	uint8_t pad[7];
	tt_tsc_t t_pub;		/* TSC when tt-md published */
};
#define TT_DELTA_LAST 0x1u

struct tt_msg_trade {
	struct tt_msg_hdr h;
	tt_px_t px;
	tt_qty_t qty;
	uint64_t trade_id;
	uint64_t venue_ts_us;	/* venue trade time, µs since epoch */
	uint8_t aggressor;	/* enum tt_side of the taker */
	uint8_t pad[7];
};

enum tt_ord_type { TT_ORD_LIMIT = 0, TT_ORD_MARKET = 1, TT_ORD_LIMIT_MAKER = 2 };
enum tt_tif { TT_TIF_GTC = 0, TT_TIF_IOC = 1, TT_TIF_FOK = 2 };

/* ORDER: h.flags = low 32 bits of the causing BOOK_TOP's update_id (0 = none: caused by a
 * trade, an exec or a timer); tt-oe sends it as the order's strategyId so that tt-venue can
 * measure wire-to-wire (DESIGN §3). */
struct tt_msg_order {
	struct tt_msg_hdr h;	/* h.t_rx: t_rx of the causing market event */
	uint64_t cl_ord_id;	/* client order id, unique per session */
	tt_px_t px;
	tt_qty_t qty;
	uint8_t side;		/* enum tt_side */
	uint8_t type;		/* enum tt_ord_type */
	uint8_t tif;		/* enum tt_tif */
	uint8_t strat_id;	/* which strategy emitted it */
	uint32_t t_strat_rx_d;	/* strat received − t_rx, ticks (saturating) */
	uint32_t t_decided_d;	/* strat decided − t_rx, ticks (saturating) */
	uint32_t t_md_pub_d;	/* md published − t_rx, ticks (saturating) */
};

struct tt_msg_cancel {
	struct tt_msg_hdr h;
	uint64_t cl_ord_id;	/* order to cancel */
	uint64_t new_cl_ord_id;	/* replace: id of the new order, 0 for plain cancel */
	tt_px_t new_px;		/* replace only */
	tt_qty_t new_qty;	/* replace only */
	uint8_t strat_id;
	uint8_t pad[7];
};

enum tt_exec_type {
	TT_EXEC_NEW = 0, TT_EXEC_TRADE, TT_EXEC_CANCELED, TT_EXEC_REPLACED,
	TT_EXEC_REJECTED, TT_EXEC_EXPIRED, TT_EXEC_RISK_REJECT, TT_EXEC_UNKNOWN
};

struct tt_msg_exec {
	struct tt_msg_hdr h;
	uint64_t cl_ord_id;
	tt_px_t last_px;
	tt_qty_t last_qty;
	tt_qty_t cum_qty;
	uint8_t exec_type;	/* enum tt_exec_type */
	uint8_t status;		/* order state (tt_oe.h) */
	uint8_t side;
	uint8_t pad;
	uint32_t reason;	/* reject reason code, 0 if none */
};

struct tt_msg_status {
	struct tt_msg_hdr h;	/* flags: TT_STATUS_* */
	uint64_t detail;
	uint8_t pad[32];
};
#define TT_STATUS_LIVE 0x1u
#define TT_STATUS_STALE 0x2u
#define TT_STATUS_RESYNC 0x4u

/* Any ring message: what a 64-byte slot holds. */
union tt_msg {
	struct tt_msg_hdr h;
	struct tt_msg_book_top top;
	struct tt_msg_book_delta delta;
	struct tt_msg_trade trade;
	struct tt_msg_order order;
	struct tt_msg_cancel cancel;
	struct tt_msg_exec exec;
	struct tt_msg_status status;
	unsigned char raw[TT_MSG_SIZE];
};

_Static_assert(sizeof(struct tt_msg_book_top) == TT_MSG_SIZE, "book_top size");
_Static_assert(sizeof(struct tt_msg_book_delta) == TT_MSG_SIZE, "book_delta size");
_Static_assert(sizeof(struct tt_msg_trade) == TT_MSG_SIZE, "trade size");
_Static_assert(sizeof(struct tt_msg_order) == TT_MSG_SIZE, "order size");
_Static_assert(sizeof(struct tt_msg_cancel) == TT_MSG_SIZE, "cancel size");
_Static_assert(sizeof(struct tt_msg_exec) == TT_MSG_SIZE, "exec size");
_Static_assert(sizeof(struct tt_msg_status) == TT_MSG_SIZE, "status size");
_Static_assert(sizeof(union tt_msg) == TT_MSG_SIZE, "tt_msg size");
_Static_assert(offsetof(struct tt_msg_hdr, t_rx) == 16, "t_rx offset");
_Static_assert(offsetof(struct tt_msg_order, cl_ord_id) == 24, "order id offset");
_Static_assert(offsetof(struct tt_msg_exec, cl_ord_id) == 24, "exec id offset");

#endif /* TT_MSG_H */
