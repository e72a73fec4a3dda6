/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * iothconf.h: configure an Internet of Threads stack from one string.
 *
 * API compatible with the original iothconf (virtualsquare/iothconf).
 *
 * config is a comma separated list of flags and assignments:
 *   iface=NAME        the interface to configure (default vde0)
 *   ifindex=N         the interface by index (instead of iface=)
 *   fqdn=NAME         fully qualified domain name: sent by DHCPv4/DHCPv6,
 *                     and the source of the hash-based MAC address (eth)
 *                     and interface identifier (slaac)
 *   mac=MAC, macaddr=MAC   the MAC address that eth sets
 *   eth               bring the interface up (setting mac= or the
 *                     hash-based MAC from fqdn= first)
 *   dhcp, dhcp4, dhcpv4    DHCPv4 (RFC 2131)
 *   dhcp6, dhcpv6     DHCPv6 (RFC 8415), IA_NA
 *   rd, rd6           router discovery (RFC 4861)
 *   slaac             stateless address autoconfiguration (RFC 4862), with rd
 *   auto              eth + dhcp + dhcp6 + rd
 *   auto4, autov4     eth + dhcp
 *   auto6, autov6     eth + dhcp6 + rd
 *   ip=ADDR/LEN       static IPv4 or IPv6 address (repeatable; LEN defaults
 *                     to 24 for IPv4, 64 for IPv6)
 *   gw=ADDR           static default gateway (IPv4 or IPv6)
 *   dns=ADDR          static DNS server
 *   domain=NAME       static search domain
 *   -ip=, -gw=, -dns=, -domain=   remove one static item
 *   debug             print the current configuration on stderr
 *   -static, -eth, -dhcp, -dhcp6, -rd, -auto (-all), -auto4, -auto6 and the
 *                     synonyms with a heading minus: undo that configuration
 *
 * Each source (static, DHCPv4, DHCPv6, router discovery) is kept apart:
 * a new configuration from a source replaces what that source gave before,
 * except static items: ip=, gw=, dns=, domain= add to those of earlier calls
 * (as the original), -ip= etc. and -static remove them.
 * Leases are renewed in the background (one thread for the whole library)
 * and what expires is removed from the stack.
 */
#ifndef IOTHCONF_H
#define IOTHCONF_H
#include <ioth.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return -1 with errno on error (EINVAL: unknown or malformed option, and
 * then nothing is changed; ENODEV: no such interface), otherwise the mask
 * of the IOTHCONF_* bits of the methods that succeeded. A method that was
 * asked for and failed leaves its bit clear and errno says why (ETIMEDOUT:
 * no server answered in time). */
int ioth_config(struct ioth *stack, const char *config);

#define IOTHCONF_STATIC (1 << 0)
#define IOTHCONF_ETH (1 << 1)
#define IOTHCONF_DHCP (1 << 2)
#define IOTHCONF_DHCPV6 (1 << 3)
#define IOTHCONF_RD (1 << 4)

/* A resolv.conf(5) text ("search ..." and "nameserver ..." lines) built from
 * the static options, DHCPv4, DHCPv6 and router advertisements (RDNSS,
 * DNSSL). Allocated: free(3) it. config accepts iface= and ifindex=.
 * NULL with errno 0 if nothing changed since the previous call; NULL with
 * errno != 0 on error. */
char *ioth_resolvconf(struct ioth *stack, const char *config);

/* ioth_newstack + ioth_config in one string: stack=NAME selects the stack
 * implementation, vnl=VNL the network of its (only) interface, the other
 * options are those of ioth_config. NULL with errno on error. */
struct ioth *ioth_newstackc(const char *stack_config);

/* Extension: events of the background work (a renewal, an address that
 * expired and was removed), one line of text each. level is a syslog(3)
 * level. Without a callback (or after iothconf_set_log(NULL, NULL))
 * warnings and errors go to stderr. */
typedef void iothconf_log_t(struct ioth *stack, int level, const char *msg, void *arg);
void iothconf_set_log(iothconf_log_t *log, void *arg);

#ifdef __cplusplus
}
#endif
#endif /* IOTHCONF_H */
