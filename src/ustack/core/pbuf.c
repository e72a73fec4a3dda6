/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pbuf.h"

#include <stdlib.h>
#include <string.h>

struct pbuf *pbuf_alloc(struct pbuf_cache *c, size_t len, size_t headroom) {
	size_t need = len + headroom;
	struct pbuf *p = NULL;
	uint32_t cap;
	if (need <= PBUF_SMALL_CAP) {
		cap = PBUF_SMALL_CAP;
		if (c && c->small) {
			p = c->small;
			c->small = p->next;
			c->nsmall--;
		}
	} else if (need <= PBUF_BIG_CAP) {
		cap = PBUF_BIG_CAP;
		if (c && c->big) {
			p = c->big;
			c->big = p->next;
			c->nbig--;
		}
	} else
		return NULL;
	if (p == NULL) {
		p = malloc(sizeof(*p) + cap);
		if (p == NULL)
			return NULL;
		p->cap = cap;
	}
	p->next = NULL;
	p->data = p->buf + headroom;
	p->len = (uint32_t) len;
	memset(&p->m, 0, sizeof(p->m));
	return p;
}

void pbuf_free(struct pbuf_cache *c, struct pbuf *p) {
	if (p == NULL)
		return;
	if (c && p->cap == PBUF_SMALL_CAP && c->nsmall < PBUF_CACHE_SMALL) {
		p->next = c->small;
		c->small = p;
		c->nsmall++;
	} else if (c && p->cap == PBUF_BIG_CAP && c->nbig < PBUF_CACHE_BIG) {
		p->next = c->big;
		c->big = p;
		c->nbig++;
	} else
		free(p);
}

void pbuf_free_chain(struct pbuf_cache *c, struct pbuf *p) {
	while (p) {
		struct pbuf *n = p->next;
		pbuf_free(c, p);
		p = n;
	}
}

void pbuf_cache_clear(struct pbuf_cache *c) {
	pbuf_free_chain(NULL, c->small);
	pbuf_free_chain(NULL, c->big);
	c->small = c->big = NULL;
	c->nsmall = c->nbig = 0;
}
