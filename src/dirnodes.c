/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dirnodes.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define BUCKETS_MIN 1024

int dirnodes_init(struct rcfs_dirnodes *t)
{
	*t = (struct rcfs_dirnodes){ .n_buckets = BUCKETS_MIN, .next_generation = 1 };
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void dirnodes_done(struct rcfs_dirnodes *t)
{
	for (size_t i = 0; t->buckets && i < t->n_buckets; i++) {
		struct rcfs_dirnode *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			(void)close(n->fd);
			free(n);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	pthread_mutex_destroy(&t->lock);
}

static size_t bucket_of(size_t n_buckets, dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h >> 17) % n_buckets;
}

/* Doubles the table when it is full on average; on ENOMEM it just stays as it is. */
static void grow(struct rcfs_dirnodes *t)
{
	size_t n_buckets = t->n_buckets * 2;
	struct rcfs_dirnode **b = calloc(n_buckets, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct rcfs_dirnode *n = t->buckets[i], *next;

		for (; n; n = next) {
			size_t j = bucket_of(n_buckets, n->dev, n->ino);

			next = n->next;
			n->next = b[j];
			b[j] = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n_buckets;
}

static struct rcfs_dirnode *find(struct rcfs_dirnodes *t, size_t b, const struct stat *st)
{
	struct rcfs_dirnode *n;

	for (n = t->buckets[b]; n; n = n->next)
		if (n->dev == st->st_dev && n->ino == st->st_ino)
			break;
	return n;
}

struct rcfs_dirnode *dirnodes_find_ref(struct rcfs_dirnodes *t, const struct stat *st)
{
	struct rcfs_dirnode *n;

	pthread_mutex_lock(&t->lock);
	n = find(t, bucket_of(t->n_buckets, st->st_dev, st->st_ino), st);
	if (n)
		n->nlookup++;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int dirnodes_ref(struct rcfs_dirnodes *t, int fd, const struct stat *st,
		 const struct dirtree_id *tree, struct rcfs_dirnode **ret)
{
	struct rcfs_dirnode *n, *made;
	size_t b;

	made = calloc(1, sizeof(*made)); /* before the lock: no allocation under it */
	pthread_mutex_lock(&t->lock);
	b = bucket_of(t->n_buckets, st->st_dev, st->st_ino);
	n = find(t, b, st);
	if (n) {
		n->nlookup++;
		pthread_mutex_unlock(&t->lock);
		free(made);
		(void)close(fd);
		*ret = n;
		return 0;
	}
	if (!made) {
		pthread_mutex_unlock(&t->lock);
		(void)close(fd);
		return -ENOMEM;
	}
	*made = (struct rcfs_dirnode){
		.fd = fd,
		.dev = st->st_dev,
		.ino = st->st_ino,
		.type = st->st_mode & S_IFMT,
		.generation = t->next_generation++,
		.tree = *tree,
		.nlookup = 1,
		.next = t->buckets[b],
	};
	atomic_init(&made->wd, -1);
	t->buckets[b] = made;
	if (++t->count > t->n_buckets)
		grow(t);
	pthread_mutex_unlock(&t->lock);
	if (t->on_new) /* the caller's reference keeps it alive until its reply */
		t->on_new(t->hook_arg, made);
	*ret = made;
	return 0;
}

void dirnodes_unref(struct rcfs_dirnodes *t, struct rcfs_dirnode *n, uint64_t count)
{
	struct rcfs_dirnode **p;

	pthread_mutex_lock(&t->lock);
	if (n->nlookup > count) {
		n->nlookup -= count;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	for (p = &t->buckets[bucket_of(t->n_buckets, n->dev, n->ino)]; *p; p = &(*p)->next)
		if (*p == n) {
			*p = n->next;
			break;
		}
	t->count--;
	pthread_mutex_unlock(&t->lock);
	if (t->on_gone)
		t->on_gone(t->hook_arg, n);
	(void)close(n->fd); /* outside the lock */
	free(n);
}

size_t dirnodes_count(struct rcfs_dirnodes *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}
