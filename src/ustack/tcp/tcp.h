/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP (RFC 9293) for ustack: protocol control blocks, the per-stack
 * tables, input, output and timers. Files by verb (STYLE.md):
 *   tcp_subr.c    the stack's TCP state, tables, ports, ISNs (RFC 6528),
 *                 byte rings, arming the deadlines of a connection
 *   tcp_pcb.c     a connection's life: pcb made, ended, freed; orphans
 *   tcp_timer.c   the handlers of the deadlines (RTO, TLP/REO dispatch,
 *                 persist, keepalive, orphans, TIME_WAIT's end)
 *   tcp_input.c   segment arrival (RFC 9293 3.10.7, RFC 5961)
 *   tcp_output.c  segment building, sending, retransmission, NewReno,
 *                 path MTU (ICMP, and probing as Linux's tcp_mtu_probing)
 *   tcp_reset.c   resets for segments no connection takes (closed ports)
 *   tcp_cc.c      congestion control: the table of algorithms, the
 *                 choice per socket (TCP_CONGESTION) and per stack (cc=)
 *   tcp_cc_reno.c NewReno's window (RFC 5681)
 *   tcp_cc_cubic.c CUBIC's window (RFC 9438), the default as Linux's
 *   tcp_sack.c    SACK (RFC 2018): blocks we send from the out-of-order
 *                 queue, the sender's scoreboard and RFC 6675 recovery
 *   tcp_rack.c    RACK-TLP (RFC 8985): send times per segment, time-based
 *                 loss marks, the REO timer, tail loss probes
 *   tcp_ts.c      timestamps (RFC 7323): TSval clock, PAWS, TS.Recent
 *   tcp_fastopen.c TCP Fast Open (RFC 7413): cookies, the server's choice,
 *                 the client's cookie cache
 *   tcp_socket.c  the socket calls (proto_ops)
 *
 * A pcb lives apart from its socket: a connection exists before accept()
 * gives it a socket and after close() takes the socket away (FIN_WAIT,
 * TIME_WAIT). pcb->sk is NULL then. Everything runs with the stack lock
 * held; functions return 0 / a count or -errno. */
#ifndef USTACK_TCP_TCP_H
#define USTACK_TCP_TCP_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../core/stack.h"
#include "../wire/tcp.h"

struct usock;
struct ip4_rx;
struct ip6_rx;

/* States numbered as Linux's TCP_INFO reports them (<netinet/tcp.h>). */
enum {
	TCPS_ESTABLISHED = 1,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2,
	TCPS_TIME_WAIT,
	TCPS_CLOSED,
	TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK,
	TCPS_LISTEN,
	TCPS_CLOSING,
};

/* States in which data may be sent (or resent) */
static inline bool tcp_can_send_data(int st) {
	return st == TCPS_ESTABLISHED || st == TCPS_CLOSE_WAIT || st == TCPS_FIN_WAIT1 ||
			st == TCPS_CLOSING || st == TCPS_LAST_ACK;
}

/* Sequence arithmetic modulo 2^32 (RFC 9293 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b) {
	return (int32_t) (a - b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b) {
	return (int32_t) (a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b) {
	return (int32_t) (a - b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b) {
	return (int32_t) (a - b) >= 0;
}
/* a <= x < b */
static inline bool seq_in(uint32_t x, uint32_t a, uint32_t b) {
	return seq_leq(a, x) && seq_lt(x, b);
}
/* RFC 9293 3.10.7.4, the four cases of segment acceptability. */
static inline bool tcp_seg_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt, uint32_t rcv_wnd) {
	if (len == 0)
		return rcv_wnd == 0 ? seq == rcv_nxt : seq_in(seq, rcv_nxt, rcv_nxt + rcv_wnd);
	if (rcv_wnd == 0)
		return false;
	return seq_in(seq, rcv_nxt, rcv_nxt + rcv_wnd) ||
			seq_in(seq + len - 1, rcv_nxt, rcv_nxt + rcv_wnd);
}

/* A byte ring, grown on demand up to the socket's buffer size and freed
 * when empty, so an idle connection keeps no buffer. */
struct tcp_spare;
struct tcp_ring {
	uint8_t *buf;
	uint32_t cap, head, len;
	struct tcp_spare *spare;      /* where its buffers come from and go (NULL: malloc) */
};

/* Buffers of emptied rings, kept for the next ring that grows
 * (tcp_subr.c): a bulk transfer empties its rings at every read and
 * every ACK of all in flight, and a free() then malloc() of the same
 * buffer makes glibc trim its heap and fault every page in again. What
 * waits unused for a whole second is freed. */
#define TCP_SPARE_MAX 8
#define TCP_SPARE_NS 1000000000ull
struct tcp_spare {
	struct tcp_spare_buf {
		uint8_t *buf;
		uint32_t cap;
	} b[TCP_SPARE_MAX];
	int n;
	bool used;                    /* taken or given since the timer was armed */
	struct utimer t;
	struct ustack *s;
};
void tcp_spare_clear(struct tcp_spare *sp);

/* A segment held out of order (RFC 9293 3.10.7.4: SHOULD keep). */
struct tcp_ooo {
	struct tcp_ooo *next;
	uint32_t seq, len;
	bool fin;
	uint8_t data[];
};

#define TCP_OOO_MAX 4096           /* segments per connection (bytes: the window; 4 MiB of 1448-byte segments fit) */

/* The sender's SACK scoreboard (RFC 6675 2): the ranges above snd_una the
 * peer reported held, sorted and disjoint. Allocated with the first SACK
 * block that arrives and freed when everything is acknowledged or on a
 * retransmission timeout (RFC 6675 5.1), so an idle connection has none. */
#define TCP_SB_MAX 32
struct tcp_scoreboard {
	int n;
	uint32_t high_rxt;            /* RFC 6675 HighRxt: next byte not resent in recovery */
	/* the segment at snd_una was resent when snd_max was una_mark: data
	 * sent after it SACKed while it is not acknowledged means the resend
	 * was lost too (Linux's lost-retransmit detection), not a timeout */
	uint32_t una_mark, una_mark_seq;
	bool una_marked;
	struct tcp_sack_block b[TCP_SB_MAX];
};

/* RFC 7323 5.5: a TS.Recent idle for 24 days is no longer trusted */
#define TCP_PAWS_IDLE_NS (24ull * 86400 * 1000000000)
#define TCPOLEN_TS_ALIGNED 12

struct tcp_pcb;

/* A congestion control algorithm (Linux's tcp_congestion_ops, reduced to
 * what a window-based algorithm needs). Loss detection and recovery
 * (RFC 6675, 6582, PRR) stay in tcp_input.c; the algorithm says how the
 * window grows and how far it falls. cwnd and ssthresh are in bytes. */
#define TCP_CA_NAME_MAX 16          /* Linux's, with the NUL */
struct tcp_cc_ops {
	const char *name;
	/* start (the connection opens, or switches to it): private state */
	void (*init)(struct tcp_pcb *pcb);
	/* outside recovery, cwnd-limited: acked bytes newly acknowledged;
	 * slow start below ssthresh, then the algorithm's own growth */
	void (*cong_avoid)(struct tcp_pcb *pcb, uint32_t acked);
	/* optional; an ACK acknowledged new data (before cong_avoid, in any
	 * state): rtt_us, the time since the most recently sent segment it
	 * acknowledged left, or -1 when it gives none (Linux pkts_acked with
	 * its ca_rtt; tcp_cc_acked computes it) */
	void (*pkts_acked)(struct tcp_pcb *pcb, int64_t rtt_us);
	/* optional; data is sent with nothing in flight (Linux
	 * CA_EVENT_TX_START), before last_data_tx takes the time of it */
	void (*tx_start)(struct tcp_pcb *pcb);
	/* a congestion event (fast retransmit, or a retransmission timeout
	 * when timeout): the new ssthresh (RFC 5681 eq. 4; RFC 9438 4.6) */
	uint32_t (*ssthresh)(struct tcp_pcb *pcb, bool timeout);
};

struct tcp_pcb {
	struct tcp_pcb *hnext;        /* connection hash (4-tuple) */
	struct tcp_pcb *bnext;        /* port table */
	struct tcp_pcb *lnext;        /* listener table */
	struct tcp_pcb *qnext;        /* listener's queue */
	struct ustack *s;
	struct usock *sk;             /* NULL: not accepted yet, or closed */
	struct tcp_pcb *parent;       /* the listener while queued on it */
	int state;
	int domain;                   /* of the socket: AF_INET or AF_INET6 */
	bool v6;                      /* the connection runs on IPv6 */
	bool in_conn, in_bind, in_listen, accepted_q, orphan;
	bool orphan_counted;          /* in tcp_stack.orphans */
	/* addresses, network order; IPv4 also for v4-mapped on AF_INET6 */
	uint32_t l4, r4;
	uint8_t l6[16], r6[16];
	uint16_t lport, rport;
	int oif;                      /* scope id / SO_BINDTODEVICE */
	/* socket flags that children inherit */
	bool reuse, reuseport, v6only, nodelay, keepalive, cork;
	bool user_rcvbuf, user_sndbuf;
	/* send side (RFC 9293 3.3.1) */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok, fin_queued;
	uint32_t fin_seq;             /* sequence number of our FIN once queued */
	uint16_t mss, peer_mss, user_mss, adv_mss;  /* mss: payload per segment (less the TS option) */
	/* RFC 7323 timestamps and RFC 2018 SACK, negotiated on the SYNs */
	bool ts_ok, sack_ok;
	bool acked_wrapped;           /* 4 GiB or more acknowledged (snd_una - iss wrapped) */
	/* the last ACK for a segment out of window or a challenge (ms clock,
	 * 0: none): Linux's last_oow_ack_time */
	uint32_t last_oow_ack;
	uint32_t ts_off;              /* TSval = ms clock + ts_off (RFC 7323 5.4) */
	uint32_t ts_last;             /* the last TSval sent: never goes back */
	bool ts_sent;
	uint32_t ts_recent;           /* TS.Recent: the TSval we echo */
	uint64_t ts_recent_at;        /* when it was stored (ns, 0: none yet) */
	uint32_t last_ack_sent;       /* RFC 7323 4.3 Last.ACK.sent */
	struct tcp_scoreboard *sb;    /* sender side, NULL when nothing SACKed */
	struct tcp_sack_block rsack[TCP_MAX_SACK]; /* receiver side, newest first */
	uint8_t nrsack;
	/* D-SACK (RFC 2883): a duplicate that arrived, reported first in the
	 * SACK option of our ACKs until the next data segment (Linux) */
	bool dsack_pending;
	struct tcp_sack_block dsack;
	struct tcp_ring sndq;         /* bytes from snd_una on */
	uint32_t sndcap;
	/* where segments sent with PSH ended, above snd_una, oldest first: a
	 * resend carries PSH when its data was pushed the first time (Linux
	 * keeps a segment's flags) */
#define TCP_PSH_MARKS 4
	uint32_t psh_mark[TCP_PSH_MARKS];
	uint8_t npsh;
	/* Linux's forced push (tcp_sendmsg's forced_push): a write fills
	 * buffers of the size goal; when one is full and what was written
	 * since the last push (pushed_seq) passes half the peer's largest
	 * window, that buffer's end gets PSH. wbuf_seq: where the last buffer
	 * begins (wbuf_open: one is being filled; a buffer whose head has
	 * gone is what is left of it, from snd_max). fpush[]: the forced
	 * marks not sent yet, ascending (one is dropped when full). */
#define TCP_FPUSH_MARKS 16
	uint32_t pushed_seq, wbuf_seq;
	bool pushed_init, wbuf_open;
	uint32_t fpush[TCP_FPUSH_MARKS];
	uint8_t nfpush;
	/* Linux sends data in GSO/TSO packets of a few segments each (at
	 * most tcp_min_tso_segs, 2 or the stack option, at the rates modelled; half of cwnd; what
	 * cwnd and the peer's window leave) and the last segment of such a
	 * packet carries PSH, a packet of one segment only when its data was
	 * pushed. gso_end: where the packet being sent ends (gso_multi: it
	 * has more than one segment); gso[]: the multi-segment packets sent,
	 * above snd_una, oldest first, for resends (a resend that ends one,
	 * with more than one segment of it left to resend, carries PSH) */
#define TCP_GSO_MARKS 32
#define TCP_GSO_SEGS 2
	uint32_t gso_seq, gso_end;
	bool gso_open, gso_multi;
	/* resends in one output call, contiguous: [rxt_run_seq, rxt_run_end)
	 * (Linux resends them as one GSO packet when they are of one) */
	uint32_t rxt_run_seq, rxt_run_end;
	bool rxt_run;
	struct tcp_gso_mark { uint32_t seq, end; } gso[TCP_GSO_MARKS];
	uint8_t ngso;
	/* MSG_MORE (Linux: it corks only the push of its own send call; the
	 * next ACK or the probe timer sends what it held) and a tail of the
	 * queue written with it (no PSH at its end, as Linux marks none);
	 * push_now: one push that a corked queue lets go (TCP_NODELAY set) */
	bool more, tail_more, push_now;
	/* where the last new segment shorter than the MSS ended: Nagle holds
	 * a partial segment back only while that one is unacknowledged
	 * (Minshall's variant, as Linux's tcp_minshall_check) */
	uint32_t snd_sml;
	bool snd_sml_ok;               /* one was sent */
	/* MSG_EOR: where records end above snd_una, ascending; no segment
	 * spans one (Linux never appends to an skb marked EOR). Allocated
	 * with the first mark, freed when all are acknowledged. */
#define TCP_EOR_MAX 4096
	uint32_t *eor;
	uint32_t neor, eorcap;
	/* MSG_ZEROCOPY calls whose data is not all acknowledged, ascending:
	 * calls lo..hi end at seq end (Linux notifies when the skbs holding
	 * a call's data are freed, after the ACK) */
#define TCP_ZC_MAX 1024
	struct tcp_zc {
		uint32_t end, lo, hi;
	} *zc;
	uint32_t nzc, zccap;
	/* SO_TIMESTAMPING transmit stamps (Linux tcp_tx_timestamp): the last
	 * byte (seq) of each send call made with SOF_TIMESTAMPING_TX_SCHED,
	 * _TX_SOFTWARE or _TX_ACK, and the stamps still to give for it (todo:
	 * those flags), ascending; allocated with the first */
#define TCP_TSTAMP_MAX 1024
	struct tcp_tstamp {
		uint32_t seq, todo;
	} *tst;
	uint32_t ntst, tstcap;
	/* receive side */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised */
	struct tcp_ring rcvq;
	uint32_t rcvcap;
	struct tcp_ooo *ooo, *ooo_tail;
	int nooo;
	bool fin_rcvd;
	/* congestion control (RFC 5681, RFC 6582; RFC 6675 with SACK) */
	uint32_t cwnd, ssthresh, recover, bytes_acked;
	const struct tcp_cc_ops *cc;  /* the algorithm (tcp_cc.c) and its state */
	uint64_t cc_priv[12];
	/* Linux tcp_cwnd_validate / tcp_is_cwnd_limited: cwnd grows only
	 * when the flight filled it, or in slow start while it is under
	 * twice the largest flight of the last round trip */
	bool cwnd_limited;
	uint32_t max_flight, cwnd_usage_seq;
	/* PRR (RFC 6937) in SACK recovery: bytes delivered to the peer and
	 * sent by us since recovery began, and RecoverFS (the cwnd then) */
	uint32_t prr_delivered, prr_out, prr_fs;
	int dupacks;
	bool in_recovery, sack_recovery;
	bool in_loss;                 /* after a timeout until snd_una passes recover (Linux CA_Loss) */
	/* Eifel (RFC 3522 detection, RFC 4015 response) after a timeout:
	 * the window before it, and the TSval of the first resend; an ACK
	 * echoing an older TSval was for the original: the timeout was
	 * spurious and the window comes back (Linux tcp_try_undo_loss) */
	bool undo_armed;
	uint32_t undo_tsval, prior_cwnd, prior_ssthresh;
	/* D-SACK undo (RFC 2883 / RFC 3708, Linux tcp_try_undo_dsack): from
	 * the start of a fast recovery (undo_seq: snd_una then), the
	 * segments resent; each D-SACK of one resent counts it back: when
	 * none is left, every resend was needless and the window returns */
	bool dsack_undo;
	uint32_t undo_seq;
	int undo_retrans;
	/* F-RTO (RFC 5682 with its SACK variant, as Linux's tcp_frto=2) after
	 * a timeout: frto_high, the end of what was resent since; frto_new:
	 * new data went instead of more resends (step 2b) */
	bool frto, frto_new;
	uint32_t frto_high;
	/* after a timeout on a SACK connection (loss_sack): the lost
	 * segments are resent by the scoreboard and the send records, not
	 * go-back-N (Linux's CA_Loss); frto_hold: the ACK of F-RTO's step 2b
	 * lets new data go, no resend */
	bool loss_sack, frto_hold;
	/* ECN (RFC 3168) as Linux's tcp_ecn (stack option, default 2): on
	 * when the peer's SYN asked for it, or (tcp_ecn=1) when our SYN did
	 * and the SYN-ACK agreed; ece_demand: a CE mark arrived, ECE on our
	 * segments until the peer's CWR; in_cwr: the window was reduced for
	 * the peer's ECE, once until snd_una passes cwr_seq (Linux CA_CWR);
	 * queue_cwr: CWR on the next new data segment */
	bool ecn_ok, ece_demand, in_cwr, queue_cwr;
	uint32_t cwr_seq;
	/* RTT (RFC 6298), in microseconds */
	uint32_t srtt, rttvar, rto;
	bool rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	int backoff, retrans_total, syn_retries;
	/* ACK policy */
	int segs_unacked, quickack;
	bool ack_now;
	bool ack_batched;             /* in tcp_stack's ack_batch (tcp_output.c) */
	/* deadlines (ns, 0 = none) multiplexed on one stack timer */
	struct utimer t;
	uint64_t rtx_at, dack_at, ka_at, end_at;
	bool persist, force, writer_waiting;
	bool xmit_dropped;            /* the last segment was dropped at our own interface */
	bool head_rxt_pending;        /* a fast retransmit that did not leave: again on the next ACK */
	int ka_idle, ka_intvl, ka_cnt, ka_probes;
	uint64_t last_rx;
	/* TCP_INFO's tcpi_last_data_sent / _data_recv / _ack_recv (ns; the
	 * first two start at the handshake, as Linux's) */
	uint64_t last_data_tx, last_data_rx, last_ack_rx;
	/* Linux's chrono stats (TCP_INFO tcpi_busy_time, tcpi_rwnd_limited,
	 * tcpi_sndbuf_limited): what the sender is doing since chrono_start,
	 * and the time (ns) spent in each state before */
	uint8_t chrono_type;
	uint64_t chrono_start, chrono_ns[3];
	/* a writer found the send buffer full and has not been told of room
	 * yet (Linux SOCK_NOSPACE): the send-buffer-limited state begins
	 * when the last byte it could queue has left, cwnd not limiting */
	bool nospace;
	int syncnt;
	/* listener */
	int backlog, nsyn, nacc;
	uint64_t cookie_at;           /* SYN cookies last sent (ns, 0: never) */
	struct tcp_pcb *accq, *accq_tail, *synq;
	bool recover_valid, was_established, connecting;
	int err;                      /* pending error for the socket */
	int soft_err;                 /* last ICMP error (Linux sk_err_soft) */
	bool linger0;
	/* TCP_NOTSENT_LOWAT (0: none, as Linux's default sysctl UINT_MAX),
	 * TCP_USER_TIMEOUT (ms, 0: none), TCP_INQ */
	uint32_t notsent_lowat, user_timeout;
	bool inq;
	/* when the oldest unacknowledged data was first found unanswered by
	 * the retransmission timer (ns, 0: not since the last ACK): the
	 * clock of TCP_USER_TIMEOUT (Linux retrans_stamp) */
	uint64_t rtx_stamp;
	/* Packetization-layer path MTU discovery (RFC 4821) as Linux's
	 * tcp_mtu_probing (tcp_output.c): mtup_on, the search runs (stack
	 * option tcp_mtu_probing=2: from the start; 1: once the timeouts
	 * suggest a black hole); mtup_low, the largest IP packet known to
	 * pass (the MSS is held to it while the search runs); mtup_high,
	 * the largest not yet known to fail; mtup_probe, the size of the
	 * probe in flight (0: none), which carries [mtup_seq, mtup_end);
	 * mtup_rxt, some of that was resent (the probe proves nothing
	 * then); mtup_at, when the search last began (again after
	 * tcp_probe_interval) */
	bool mtup_on, mtup_rxt;
	uint16_t mtup_low, mtup_high, mtup_probe;
	uint16_t mtup_len;            /* output_one: the probe's payload in place of the MSS */
	uint32_t mtup_seq, mtup_end;
	uint64_t mtup_at;
	/* RACK-TLP (RFC 8985, tcp_rack.c): each segment in flight with the
	 * time it was last sent (sorted by sequence, allocated with the first
	 * one, SACK connections only); the most recently sent segment the
	 * peer delivered (RACK.xmit_ts, .end_seq, .rtt); the smallest RTT
	 * seen (us); what the retransmission timer is armed for; the tail
	 * loss probe in flight (TLPRxtOut: tlp_high_seq, the probe a resend) */
	struct tcp_txrec *tx;
	uint32_t ntx, txcap;
	/* tx is txoff records into its allocation (those acknowledged leave
	 * from the front without a move); how many records are SACKed and
	 * how many were ever resent, kept so that an ACK in order walks
	 * only what it delivers */
	uint32_t txoff, tx_nsacked, tx_never;
	uint64_t rack_xmit;
	/* the last send time given to a record: each later send gets a later
	 * one, so that the order of sending survives a clock that stands
	 * still for a whole batch of input (the VDE link's) */
	uint64_t tx_last_at;
	uint32_t rack_end, rack_rtt, min_rtt;
	bool rack_valid;
	/* the last ACK delivered (acknowledged or SACKed) a segment that
	 * was never resent and not SACKed before (Linux FLAG_ORIG_SACK_ACKED:
	 * F-RTO's proof that a timeout was spurious) */
	bool rack_orig;
	/* the last ACK moved RACK (a delivered segment taken): only then
	 * does it look for losses, the REO timer does meanwhile (Linux's
	 * rack.advanced) */
	bool rack_advanced;
	/* reordering seen (Linux tcp_check_sack_reordering): how far, in
	 * segments (3 until more is seen, TCP_INFO's tcpi_reordering) */
	bool reord_seen;
	uint16_t reordering;
	/* RFC 8985 6.2 step 4 (Linux tcp_rack_update_reo_wnd): reo_wnd is
	 * reo_mult quarters of min_rtt (0: one), one more for each D-SACK
	 * (at most one a round trip: none until a segment sent after reo_at,
	 * the last growth, is delivered), back to one after 16 recoveries
	 * without (reo_persist; a recovery undone does not count, one undone
	 * by D-SACKs gives one back); reo_was_rec: still in recovery after
	 * the last ACK's RACK step (it may end later in the same ACK);
	 * reo_undo: the recovery that ended was undone */
	uint8_t reo_mult, reo_persist;
	bool reo_was_rec, reo_undo;
	uint64_t reo_at;
	uint8_t rtx_kind;
	bool tlp_out, tlp_retrans;
	uint32_t tlp_high_seq;
	uint64_t tlp_rto_at;          /* the RTO deadline a probe or RACK timer stands in for */
	/* TCP Fast Open (RFC 7413, tcp_fastopen.c). Listener: fo_qlen, the
	 * most children accepted on a cookie that are still in SYN-RECEIVED
	 * (TCP_FASTOPEN; 0: off), fo_pending of them now. Child: fo_passive,
	 * opened on a cookie (on the accept queue, able to send, before the
	 * handshake ends); fo_counted: in its listener's fo_pending; fo_reply:
	 * its SYN-ACK carries the cookie fo_cookie (fo_exp: in the
	 * experimental option). syn_data_acked: TCP_INFO's TCPI_OPT_SYN_DATA */
	int fo_qlen, fo_pending;
	/* TCP_FASTOPEN_NO_COOKIE; TCP_FASTOPEN_CONNECT (client) */
	bool fo_no_cookie, fo_connect;
	/* TCP_FASTOPEN_KEY of a listener (0: none, the stack's; 1: a key;
	 * 2: a key and a backup key, whose cookies are valid too) */
	uint8_t fo_nkeys;
	uint8_t fo_key[32];
	/* client: fo_req, our SYN carries the option (a request when fo_len
	 * is 0, else the cookie fo_cookie); fo_defer, connected without a
	 * SYN yet (it leaves with the first write's data); fo_syn_len, the
	 * data in the SYN; fo_fail, TCP_INFO's tcpi_fastopen_client_fail */
	bool fo_req, fo_defer;
	bool fo_tried;                /* a Fast Open attempt: its SYN-ACK's cookie is cached */
	uint8_t fo_fail;
	uint32_t fo_syn_len;
	bool fo_passive, fo_counted, fo_reply, fo_exp, syn_data_acked;
	/* Linux's interactive ("pingpong") delayed ACKs, entered as its
	 * Fast Open client enters them: a writer waits through the handshake
	 * with data left (fo_writer; Linux sk_write_pending), so the SYN-ACK's
	 * ACK is held for that data (ack_saved_at: when, ns; Linux "saves one
	 * ACK", the delayed-ACK timer at TCP_DELACK_MAX) and, the data going
	 * within the ACK timeout of it (TCP_ATO_MIN), the connection is
	 * interactive: data received is no longer acknowledged at once in
	 * quick-ACK mode. The delayed-ACK timer firing ends it (Linux). */
	bool fo_writer, pingpong;
	/* TCP_INFO's tcpi_delivered (Linux tp->delivered): segments that
	 * reached the peer, acknowledged or SACKed, the SYN or SYN-ACK
	 * counting one (with a Fast Open SYN's data); counted per ACK from the
	 * bytes it delivered, in segments of the MSS, rounded up */
	uint32_t delivered_segs;
	uint64_t ack_saved_at;
	uint8_t fo_len;
	uint8_t fo_cookie[TCP_FO_COOKIE_MAX];
};

/* A segment in flight (tcp_rack.c) */
struct tcp_txrec {
	uint32_t seq, end;            /* end includes a FIN */
	uint64_t at;                  /* last sent (ns) */
	uint8_t fl;
	uint32_t tsval;               /* the TSval it last went with */
};
/* RETRANS: a resend of it is in flight (Linux SACKED_RETRANS; cleared
 * when RACK finds that resend lost too); LOST: deemed lost, until
 * delivered; SACKED; EVER: it was resent at least once (Linux
 * EVER_RETRANS: its RTT samples are ambiguous) */
#define TCP_TXR_RETRANS 1
#define TCP_TXR_LOST 2
#define TCP_TXR_SACKED 4
#define TCP_TXR_EVER 8
#define TCP_TX_MAX 8192               /* segments tracked; beyond, RFC 6675 alone */
enum { TCP_RTX_RTO, TCP_RTX_TLP, TCP_RTX_REO };

#define TCP_CONN_HASH 2048

#define TCP_PORT_HASH 256

struct tcp_stack {
	struct tcp_pcb *conn[TCP_CONN_HASH];
	struct tcp_pcb *bind[TCP_PORT_HASH];
	struct tcp_pcb *listen[TCP_PORT_HASH];
	uint8_t secret[16];
	uint16_t next_port;
	bool fixed_isn;               /* tests and fuzzing: ISN 0x01000000 */
	int npcbs;
	struct tcp_spare spare;
	/* connections whose ACK waits for the end of the receive batch
	 * (stack option gro=1, tcp_output.c tcp_ack_later) */
#define TCP_ACK_BATCH 64
	struct tcp_pcb *ack_batch[TCP_ACK_BATCH];
	int nack_batch;
	/* connections the application closed, still sending (FIN_WAIT1/2,
	 * CLOSING, LAST_ACK; not TIME_WAIT), and their bound (tcp_max_orphans) */
	int orphans, max_orphans;
	/* Linux's TcpExt TCPAbortOnMemory, TCPAbortOnTimeout */
	uint64_t abort_on_memory, abort_on_timeout;
	/* Linux's TcpExt SyncookiesSent, SyncookiesRecv, SyncookiesFailed */
	uint64_t cookies_sent, cookies_recv, cookies_failed;
	/* the Fast Open client's cookies by server address (tcp_fastopen.c) */
#define TCP_FO_CACHE 16
	struct tcp_fo_entry {
		bool used, v6;
		uint8_t addr[16];
		uint8_t len;              /* 0: no cookie (an MSS only) */
		uint8_t cookie[TCP_FO_COOKIE_MAX];
		uint16_t mss;             /* the server's MSS (0: unknown) */
		uint64_t at;
	} fo_cache[TCP_FO_CACHE];
	/* counters named after Linux's /proc/net/snmp Tcp: */
	struct {
		uint64_t ActiveOpens, PassiveOpens, AttemptFails, EstabResets, InSegs, OutSegs,
				RetransSegs, InErrs, OutRsts, InCsumErrors, ListenDrops, OfoDrops,
				ChallengeACKs, PAWSEstab, DSACKOldSent, LossUndo, SACKRecovery, SACKRetrans, SACKLostRetrans, RenoRecovery, RTOs, LocalDrops,
				TLPProbes, TLPRecovery, RACKReoTimeouts, DSACKUndo, SpuriousRTOs,
				PMTUReductions, ACKSkippedChallenge, ACKSkippedSeq,
				MTUPFail, MTUPSuccess;
	} mib;
	/* RFC 5961 7: this second's budget of challenge ACKs left, when the
	 * stack has a limit (ustack's tcp_challenge_ack_limit) */
	uint32_t challenge_count;
	uint64_t challenge_sec;
	bool challenge_sec_set;
};

/* Parsed arriving segment, family independent. */
struct tcp_seg {
	bool v6, loop;
	uint8_t ecn;                  /* the IP header's ECN field (RFC 3168 5) */
	uint32_t src4, dst4;
	const uint8_t *src6, *dst6;
	struct netif *ifp;
	uint16_t sport, dport;        /* network order */
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t wnd;
	const uint8_t *data;
	uint32_t len;
	struct tcp_opts opt;
	bool opt_ok;
	struct ip4_rx *rx4;
	struct ip6_rx *rx6;
};

/* Linux defaults */
#define TCP_RTO_MIN_US 200000u
#define TCP_RTO_INIT_US 1000000u
#define TCP_RTO_MAX_US 120000000u
#define TCP_DELACK_NS MS(40)
#define TCP_DELACK_MAX_NS MS(200)   /* Linux TCP_DELACK_MAX */
#define TCP_ATO_MIN_NS MS(40)       /* Linux TCP_ATO_MIN */
/* Linux TCP_RESOURCE_PROBE_INTERVAL: retry after a local drop */
#define TCP_RESOURCE_PROBE_US 500000u
#define TCP_TIMEWAIT_NS MS(60000)
#define TCP_FIN_TIMEOUT_NS MS(60000)
#define TCP_SYN_RETRIES 6
#define TCP_SYNACK_RETRIES 5
#define TCP_RETRIES2 15
/* Linux tcp_retries1: a black hole is suspected (tcp_mtu_probing) once
 * the oldest data waited as long as 3 timeouts backed off from
 * TCP_RTO_MIN take: 200 ms * (2^4 - 1) = 3 s */
#define TCP_RETRIES1 3
/* Linux's defaults of tcp_base_mss, tcp_probe_threshold (bytes),
 * tcp_probe_interval (600 s), tcp_mtu_probe_floor and tcp_min_snd_mss */
#define TCP_BASE_MSS 1024
#define TCP_PROBE_THRESHOLD 8
#define TCP_PROBE_INTERVAL_NS MS(600000)
#define TCP_MTU_PROBE_FLOOR 48
#define TCP_MIN_SND_MSS 48
/* Linux: tcp_orphan_retries 0 means 8 timeouts for a closed connection
 * whose FIN or data goes unanswered; tcp_max_orphans (Linux sizes it by
 * memory; here per stack) */
#define TCP_ORPHAN_RETRIES 8
#define TCP_MAX_ORPHANS 4096
#define TCP_INIT_CWND 10
/* Linux's tcp_invalid_ratelimit (ms) */
#define TCP_INVALID_RATELIMIT_MS 500
#define TCP_AUTO_SNDBUF (4u << 20)
#define TCP_AUTO_RCVBUF (4u << 20)

/* Chrono states, by priority (Linux tcp_chrono_start/stop) */
enum { TCP_CHRONO_NONE, TCP_CHRONO_BUSY, TCP_CHRONO_RWND, TCP_CHRONO_SNDBUF };

/* Linux tcp_is_cwnd_limited: cwnd bounded the last flight, or slow
 * start has not yet reached twice the largest flight */
static inline bool tcp_is_cwnd_limited(const struct tcp_pcb *pcb) {
	return pcb->cwnd_limited || (pcb->cwnd < pcb->ssthresh && pcb->cwnd < 2 * pcb->max_flight);
}

/* tcp_output.c */
/* Send-buffer limited (Linux tcp_cwnd_validate's chrono): a writer waits
 * for room, nothing queued is unsent, and cwnd would take more (not
 * tcp_is_cwnd_limited). Checked after sending and when a writer starts
 * to wait. */
void tcp_sndbuf_check(struct tcp_pcb *pcb);

/* The size a write fills one send buffer to (Linux tcp_xmit_size_goal):
 * half of the largest window the peer offered, at most 64 KiB (a GSO
 * packet), in whole segments, at least one. */
static inline uint32_t tcp_size_goal(const struct tcp_pcb *pcb) {
	uint32_t mss = pcb->mss ? pcb->mss : 536;
	uint32_t w = pcb->max_snd_wnd > 536 ? pcb->max_snd_wnd / 2 : pcb->max_snd_wnd;
	if (w > 65536)
		w = 65536;
	return w >= mss ? w / mss * mss : mss;
}

/* TCP_NOTSENT_LOWAT in force (Linux tcp_notsent_lowat): the socket's, else
 * the stack's; 0: none */
static inline uint32_t tcp_lowat(const struct tcp_pcb *pcb) {
	return pcb->notsent_lowat ? pcb->notsent_lowat : pcb->s->tcp_notsent_lowat;
}

/* tcp_socket.c */
/* room for a writer (Linux sk_stream_is_writeable, with TCP_NOTSENT_LOWAT) */
bool tcp_writeable(const struct tcp_pcb *p);

/* tcp_subr.c: the stack's TCP state, tables, ports, ISNs, chronos,
 * rings, and the deadlines' arming */
/* enter type if above the present state */
void tcp_chrono_start(struct tcp_pcb *pcb, int type);
/* leave type (to busy, or to none when nothing is queued) */
void tcp_chrono_stop(struct tcp_pcb *pcb, int type);
struct tcp_stack *tcp_stack_get(struct ustack *s);
void tcp_conn_hash(struct tcp_pcb *pcb);
void tcp_bind_hash(struct tcp_pcb *pcb);
void tcp_listen_hash(struct tcp_pcb *pcb);
/* out of the connection table; out of all three */
void tcp_conn_unhash(struct tcp_pcb *pcb);
void tcp_unhash(struct tcp_pcb *pcb);
struct tcp_pcb *tcp_lookup(struct ustack *s, const struct tcp_seg *g);
struct tcp_pcb *tcp_lookup_listener(struct ustack *s, const struct tcp_seg *g);
/* port checks: true when pcb may bind lport (network order) */
bool tcp_port_free(struct tcp_pcb *pcb, uint16_t lport);
int tcp_autobind(struct tcp_pcb *pcb, bool connecting);
uint32_t tcp_new_isn(struct tcp_pcb *pcb);
/* RFC 7323 5.4: the TSval offset of a connection, a keyed hash */
uint32_t tcp_ts_offset(struct tcp_pcb *pcb);
/* SYN cookies (RFC 4987): a keyed hash of the 4-tuple, the peer's ISN
 * and the cookie's time counter */
uint32_t tcp_cookie_hash(const struct tcp_pcb *pcb, uint32_t peer_isn, uint32_t count);
/* arm the stack timer for the earliest deadline (none: cancel it) */
void tcp_timer_update(struct tcp_pcb *pcb);
/* the RTO backed off, at most TCP_RTO_MAX_US (in microseconds) */
uint32_t tcp_rto_delay_us(struct tcp_pcb *pcb);
/* retransmission deadline: the RTO, backed off */
void tcp_arm_rtx(struct tcp_pcb *pcb);
/* retry after a local drop, not backed off (Linux: min(RTO,
 * TCP_RESOURCE_PROBE_INTERVAL)) */
void tcp_arm_resource_retry(struct tcp_pcb *pcb);

/* tcp_pcb.c: a connection's life */
struct tcp_pcb *tcp_pcb_new(struct ustack *s);
/* Unhook from every table and free (timers stopped, queues freed). */
void tcp_pcb_free(struct tcp_pcb *pcb);
/* Move to state; wakes and updates the socket. */
void tcp_set_state(struct tcp_pcb *pcb, int state);
/* The application closed pcb: count it among the orphans. */
void tcp_orphan_add(struct tcp_pcb *pcb);
/* Linux tcp_check_oom: more orphans than tcp_max_orphans (each counted
 * 2^shift times). */
bool tcp_too_many_orphans(struct ustack *s, int shift);
/* Connection over: err for the socket (0: none); frees orphans. */
bool tcp_done(struct tcp_pcb *pcb, int err);  /* true: pcb freed */
void tcp_wakeup(struct tcp_pcb *pcb);
void tcp_enter_timewait(struct tcp_pcb *pcb);
/* take a child off its listener's SYN queue */
void tcp_synq_unlink(struct tcp_pcb *pcb);

/* tcp_subr.c: byte rings */
uint32_t ring_space(const struct tcp_ring *r, uint32_t limit);
int ring_append(struct tcp_ring *r, const uint8_t *src, uint32_t n, uint32_t limit);
/* append from an iovec, skipping `skip` bytes of it */
int ring_append_iov(struct tcp_ring *r, const struct msghdr *msg, size_t skip, uint32_t n, uint32_t limit);
void ring_copy_out(const struct tcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n);
void ring_drop(struct tcp_ring *r, uint32_t n);
void ring_free(struct tcp_ring *r);

/* tcp_output.c */
/* Send what the windows allow. */
void tcp_output(struct tcp_pcb *pcb);
void tcp_send_ack(struct tcp_pcb *pcb);
uint32_t tcp_acceptable_seq(const struct tcp_pcb *pcb);
/* schedule an ACK: at once (now) or delayed */
void tcp_ack_later(struct tcp_pcb *pcb);
/* s->rx_batch_end: the ACKs a receive batch held go; and a pcb that goes
 * away leaves the list */
void tcp_ack_batch_end(struct ustack *s);
void tcp_ack_batch_forget(struct tcp_pcb *pcb);
void tcp_send_syn(struct tcp_pcb *pcb);
void tcp_send_rst(struct tcp_pcb *pcb);
/* an empty segment with seq snd_una - 1 (keepalive, zero window probe) */
void tcp_send_probe(struct tcp_pcb *pcb);
int tcp_send_seg(struct tcp_pcb *pcb, uint32_t seq, uint8_t flags, uint32_t len, bool with_opts);
void tcp_retransmit_head(struct tcp_pcb *pcb);
uint64_t tcp_clock(struct ustack *s);
uint32_t tcp_rcv_window(struct tcp_pcb *pcb);
/* The window scale to offer (Linux's rule): the smallest shift that lets
 * the largest receive space be advertised, log2(space) - 15, from the
 * SO_RCVBUF the user set (half of it: Linux doubles it for overhead) or
 * else the stack's tcp_rmem ceiling (Linux: tcp_rmem[2], 6 MiB: 7; 15
 * MiB as packetdrill sets it: 8); at most 14 (RFC 7323 2.3). */
uint8_t tcp_select_wscale(const struct tcp_pcb *pcb);
uint16_t tcp_route_mss(struct tcp_pcb *pcb);
/* Path MTU (RFC 1191, RFC 8201, Linux tcp_sync_mss): the sending MSS no
 * larger than the path's MTU (the route's, with what ICMP taught). */
void tcp_sync_mss(struct tcp_pcb *pcb);
/* After a "fragmentation needed" / "packet too big" for this connection:
 * a smaller MSS, and what is in flight sent again at it (cwnd kept);
 * false when the path is not narrower than the MSS already. */
bool tcp_pmtu_reduced(struct tcp_pcb *pcb);
uint32_t tcp_cur_mss(const struct tcp_pcb *pcb);
/* Linux tcp_simple_retransmit: what is in flight sent again now at the
 * present MSS, cwnd kept (the loss was of a size, not congestion) */
void tcp_simple_retransmit(struct tcp_pcb *pcb);
/* RFC 4821 as Linux's tcp_mtu_probing (tcp_output.c): the search set up
 * for a new connection (its MSS known) */
void tcp_mtup_init(struct tcp_pcb *pcb);
/* a retransmission timeout (before its resend): past tcp_retries1's
 * time, a black hole is suspected and the MSS falls; a probe in flight
 * is lost */
bool tcp_mtup_timeout(struct tcp_pcb *pcb, uint64_t now);  /* true: the send records are of another size */
/* snd_una moved: the probe's data acknowledged raises the MSS */
void tcp_mtup_ack(struct tcp_pcb *pcb);
/* a loss is found in Open state: when it is the probe's (at snd_una),
 * the search's high end falls below it and the data goes again at the
 * present MSS, no recovery entered (true); false: not the probe */
bool tcp_mtup_lost(struct tcp_pcb *pcb);
/* the path MTU TCP_INFO reports (Linux's pmtu cookie: the route's, with
 * what ICMP taught, not what probing found) */
uint32_t tcp_path_mtu(struct tcp_pcb *pcb);
void tcp_rtt_sample(struct tcp_pcb *pcb, uint32_t us);
/* MSG_EOR: mark the end of the queue as a record's end (-ENOBUFS: no
 * room for one more mark); drop the marks snd_una passed */
int tcp_eor_mark(struct tcp_pcb *pcb);
void tcp_eor_ack(struct tcp_pcb *pcb);
/* MSG_ZEROCOPY: send call number id ended at the end of the send queue;
 * completions for the calls snd_una passed; all of them (the send queue
 * is dropped: Linux notifies as it frees the skbs) */
void tcp_zc_mark(struct tcp_pcb *pcb, uint32_t id);
void tcp_zc_ack(struct tcp_pcb *pcb);
void tcp_zc_flush(struct tcp_pcb *pcb);
/* SO_TIMESTAMPING transmit stamps (tcp_socket.c): new data [seq, seq +
 * len) went (SCHED and SND for a marked byte in it); an ACK up to ack is
 * taken, before the send queue drops it (ACK for the marked bytes below
 * it); all dropped with the send queue */
void tcp_tstamp_sent(struct tcp_pcb *pcb, uint32_t seq, uint32_t len);
void tcp_tstamp_acked(struct tcp_pcb *pcb, uint32_t ack);
void tcp_tstamp_flush(struct tcp_pcb *pcb);

/* tcp_ts.c */
/* TSval to send now */
uint32_t tcp_ts_now(struct tcp_pcb *pcb);
/* RFC 7323 5.3 PAWS: true when the segment must be dropped */
bool tcp_paws_reject(struct tcp_pcb *pcb, const struct tcp_seg *g);
/* RFC 7323 4.3: TS.Recent from an acceptable segment */
void tcp_ts_update_recent(struct tcp_pcb *pcb, const struct tcp_seg *g);

/* tcp_sack.c */
/* receiver: [seq, end) below rcv_nxt arrived again (RFC 2883) */
void tcp_dsack_set(struct tcp_pcb *pcb, uint32_t seq, uint32_t end);
/* receiver: the block [seq, end) arrived out of order / rcv_nxt moved */
void tcp_rsack_add(struct tcp_pcb *pcb, uint32_t seq, uint32_t end);
void tcp_rsack_trim(struct tcp_pcb *pcb);
/* sender: take the SACK blocks of an ACK; true when something new was SACKed */
bool tcp_sb_update(struct tcp_pcb *pcb, const struct tcp_opts *o);
/* drop what snd_una passed; free the scoreboard when empty */
void tcp_sb_ack(struct tcp_pcb *pcb);
void tcp_sb_clear(struct tcp_pcb *pcb);
/* RFC 6675 IsLost(seq) */
bool tcp_sb_is_lost(const struct tcp_pcb *pcb, uint32_t seq);
/* RFC 6675 SetPipe */
uint32_t tcp_sb_pipe(const struct tcp_pcb *pcb);
/* RFC 6675 NextSeg rules 1 and 3: a hole to resend; false: none */
bool tcp_sb_next_rxt(const struct tcp_pcb *pcb, uint32_t *seq, uint32_t *len, bool rule3);
bool tcp_sb_sacked(const struct tcp_pcb *pcb, uint32_t seq);
/* SACKed bytes in [snd_una, seq) */
uint32_t tcp_sb_sacked_below(const struct tcp_pcb *pcb, uint32_t seq);
/* the first SACKed block at or above seq (NULL: none) */
const struct tcp_sack_block *tcp_sb_block_from(const struct tcp_pcb *pcb, uint32_t seq);
/* the resend at snd_una was lost (see una_mark) */
bool tcp_sb_head_rxt_lost(const struct tcp_pcb *pcb);
/* resend one segment of [seq, seq + len) in SACK recovery */
bool tcp_sack_retransmit(struct tcp_pcb *pcb, uint32_t seq, uint32_t len);  /* false: dropped locally */
/* RACK-TLP (tcp_rack.c) */
void tcp_tx_sent(struct tcp_pcb *pcb, uint32_t seq, uint32_t end, uint64_t now);
void tcp_tx_free(struct tcp_pcb *pcb);
void tcp_rack_ack(struct tcp_pcb *pcb, uint64_t now, uint32_t tsecr);   /* tsecr 0: none */
void tcp_rack_reo_update(struct tcp_pcb *pcb, uint64_t now, bool dsack, bool rec0);
/* mark false: only how long until the next may be lost (no RACK advance) */
uint64_t tcp_rack_detect(struct tcp_pcb *pcb, uint64_t now, bool *marked, bool mark);
bool tcp_rack_is_lost(const struct tcp_pcb *pcb, uint32_t seq);
bool tcp_tx_sack_align(const struct tcp_pcb *pcb, uint32_t *l, uint32_t *r);
void tcp_rack_on_rto(struct tcp_pcb *pcb, uint64_t now);
/* tcp_output.c: Linux's CA_Loss entered (a timeout, or a path MTU that
 * shrank): out of recovery, every unSACKed segment lost (tcp_rack.c),
 * the recovery point at snd_max, no RTT timing across it */
void tcp_loss_enter(struct tcp_pcb *pcb, uint64_t now);
/* the send records cover [snd_una, snd_max) without a gap: pipe and
 * NextSeg count by them */
bool tcp_tx_complete(const struct tcp_pcb *pcb);
void tcp_rack_unmark_lost(struct tcp_pcb *pcb);
void tcp_rack_rearm_rto(struct tcp_pcb *pcb);
void tcp_rack_arm_reo(struct tcp_pcb *pcb, uint64_t timeout);
void tcp_rack_reo_fire(struct tcp_pcb *pcb);   /* tcp_input.c */
void tcp_tlp_schedule(struct tcp_pcb *pcb);
void tcp_tlp_fire(struct tcp_pcb *pcb);
void tcp_tlp_ack(struct tcp_pcb *pcb, uint32_t ack, bool dsack, bool advanced, bool sacked);
/* the loss probe's segment (tcp_output.c): one new segment beyond cwnd,
 * or the last one sent again; true when it went */
bool tcp_output_probe_new(struct tcp_pcb *pcb);
bool tcp_resend_tail(struct tcp_pcb *pcb);

/* tcp_fastopen.c */
/* Linux's net.ipv4.tcp_fastopen bits (stack option tcp_fastopen=) */
#define TFO_CLIENT_ENABLE 0x1
#define TFO_SERVER_ENABLE 0x2
#define TFO_CLIENT_NO_COOKIE 0x4
#define TFO_SERVER_COOKIE_NOT_REQD 0x200
#define TFO_SERVER_WO_SOCKOPT1 0x400
#define TFO_COOKIE_LEN 8
/* tcpi_fastopen_client_fail (Linux's enum tcp_fastopen_client_fail) */
#define TCP_FO_NO_COOKIE 1
#define TCP_FO_DATA_NOT_ACKED 2
#define TCP_FO_SYN_RETRANSMITTED 3
#ifndef TCPI_OPT_SYN_DATA
#define TCPI_OPT_SYN_DATA 32
#endif
uint64_t siphash24(const uint8_t key[16], const uint8_t *m, size_t len);
/* "XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX" (as Linux's tcp_fastopen_key):
 * 0 and the 16 bytes of the key, or -EINVAL */
int tcp_fo_key_parse(const char *str, uint8_t key[16]);
/* the stack's key (made at random on first use unless set) */
const uint8_t *tcp_fo_key(struct ustack *s);
/* the cookie under key of the client of the SYN g */
void tcp_fo_cookie(const uint8_t key[16], const struct tcp_seg *g, uint8_t out[TFO_COOKIE_LEN]);
/* A SYN g for listener l made child c: true when c is a Fast Open
 * connection (a valid cookie, or none needed): g's data is taken. When
 * false, c->fo_reply says whether the SYN-ACK carries a cookie. */
bool tcp_fo_syn(struct tcp_pcb *l, struct tcp_pcb *c, const struct tcp_seg *g);
/* The Fast Open option of the SYN or SYN-ACK pcb sends (none: no change) */
void tcp_fo_syn_opt(const struct tcp_pcb *pcb, struct tcp_opts *o);
/* Client: pcb connects (its addresses set) with Fast Open: true when a
 * cookie is cached for the server (or none is needed): the SYN may carry
 * data, with the cookie (fo_req) or without the option. Else the SYN
 * asks for a cookie (fo_req, fo_len 0). */
bool tcp_fo_client_start(struct tcp_pcb *pcb);
/* the data a SYN may carry (the cached server MSS, or ours, less the 40
 * bytes of options Linux keeps free) */
uint32_t tcp_fo_syn_space(struct tcp_pcb *pcb);
/* the SYN-ACK g of a Fast Open attempt: the cookie and MSS cached, the
 * data acknowledged noted */
void tcp_fo_synack(struct tcp_pcb *pcb, const struct tcp_seg *g);
/* a Fast Open child in SYN-RECEIVED sends what the application wrote */
void tcp_fo_output(struct tcp_pcb *pcb);
/* a Fast Open child left SYN-RECEIVED (its listener counts one less) */
void tcp_fo_child_done(struct tcp_pcb *c);

/* tcp_reset.c */
/* RST in answer to g when no connection takes it */
void tcp_reset_answer(struct ustack *s, const struct tcp_seg *g);

/* tcp_timer.c: the handlers of a connection's deadlines (armed with
 * tcp_subr.c's calls) */
/* the stack timer of a connection went off (registered by tcp_pcb_new) */
void tcp_timer_fire(struct ustack *s, struct utimer *t);

/* tcp_cc.c */
extern const struct tcp_cc_ops tcp_cc_reno, tcp_cc_cubic;
/* by name (NULL: none such) */
const struct tcp_cc_ops *tcp_cc_find(const char *name);
/* the stack's default: its option cc= or else CUBIC, as Linux */
const struct tcp_cc_ops *tcp_cc_default(struct ustack *s);
/* run the algorithm ops on pcb from now on (its state starts afresh) */
void tcp_cc_set(struct tcp_pcb *pcb, const struct tcp_cc_ops *ops);
/* slow start as Linux's tcp_slow_start: every acknowledged byte counts
 * (RFC 3465 without the L = 2 limit), up to ssthresh; returns what is
 * left of acked for congestion avoidance */
uint32_t tcp_cc_slow_start(struct tcp_pcb *pcb, uint32_t acked);
/* a congestion event: ssthresh from the algorithm */
void tcp_cc_congestion(struct tcp_pcb *pcb, bool timeout);
/* after an ACK moved snd_una on by acked bytes (snd_una already moved,
 * the segments still in pcb->tx): the algorithm's pkts_acked with the
 * RTT sample Linux would give it (tcp_cc.c) */
void tcp_cc_acked(struct tcp_pcb *pcb, const struct tcp_seg *g, uint32_t acked, uint64_t now);

/* our SYN (or SYN-ACK) is not acknowledged: the send queue starts after it */
static inline bool tcp_syn_unacked(const struct tcp_pcb *pcb) {
	return (pcb->state == TCPS_SYN_SENT || pcb->state == TCPS_SYN_RECV) && pcb->snd_una == pcb->iss;
}

/* bytes queued and not sent yet (Linux write_seq - snd_nxt) */
static inline uint32_t tcp_notsent(const struct tcp_pcb *pcb) {
	uint32_t sent = pcb->snd_max - pcb->snd_una;
	return pcb->sndq.len > sent ? pcb->sndq.len - sent : 0;
}

/* tcp_input.c */
void tcp_input(struct ustack *s, struct tcp_seg *g);

/* tcp_socket.c */
void tcp_err(struct ustack *s, bool v6, int err, uint32_t mtu, const uint8_t *inner, size_t len);
/* Free every connection of a stack that is being deleted. */
void tcp_flush_stack(struct ustack *s);
/* A connection closed by its socket has data or its FIN unacknowledged. */
bool tcp_stack_pending(struct ustack *s);
#endif
