/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "access.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define STATUS_MAX (1 << 20) /* 65,536 groups of 10 digits fit */

void access_caller_init(struct access_caller *c, int procfs_fd, const char *self_userns, pid_t tid,
			uid_t uid, gid_t gid)
{
	*c = (struct access_caller){
		.tid = tid,
		.uid = uid,
		.gid = gid,
		.procfs_fd = procfs_fd,
		.self_userns = self_userns,
	};
}

void access_caller_done(struct access_caller *c)
{
	access_status_free(&c->status);
}

void access_status_free(struct access_status *s)
{
	free(s->groups);
	s->groups = NULL;
	s->n_groups = 0;
}

/* The value of "KEY:\t..." up to the end of its line, or NULL. */
static const char *status_field(const char *text, size_t len, const char *key, size_t *ret_len)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < len;) {
		const char *line = text + i, *nl = memchr(line, '\n', len - i);
		size_t line_len = nl ? (size_t)(nl - line) : len - i;

		if (line_len > klen && memcmp(line, key, klen) == 0 && line[klen] == ':') {
			size_t skip = klen + 1;

			while (skip < line_len && (line[skip] == '\t' || line[skip] == ' '))
				skip++;
			*ret_len = line_len - skip;
			return line + skip;
		}
		i += line_len + 1;
	}
	return NULL;
}

static int parse_cap(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || len > 16)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*ret = v;
	return 0;
}

/* "1 24 1000 " (the kernel leaves a space after each); empty when there are none. */
static int parse_groups(const char *s, size_t len, struct access_status *ret)
{
	size_t n = 0, cap = 0;
	gid_t *groups = NULL;

	for (size_t i = 0; i < len;) {
		uint64_t v = 0;
		size_t start = i;

		if (s[i] == ' ') {
			i++;
			continue;
		}
		for (; i < len && s[i] != ' '; i++) {
			if (s[i] < '0' || s[i] > '9' || v > UINT32_MAX / 10)
				goto invalid;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
		if (v > UINT32_MAX || i - start > 10 || n >= ACCESS_GROUPS_MAX)
			goto invalid;
		if (n == cap) {
			gid_t *bigger;

			cap = cap ? cap * 2 : 16;
			bigger = realloc(groups, cap * sizeof(*groups));
			if (!bigger) {
				free(groups);
				return -ENOMEM;
			}
			groups = bigger;
		}
		groups[n++] = (gid_t)v;
	}
	ret->groups = groups;
	ret->n_groups = n;
	return 0;
invalid:
	free(groups);
	return -EINVAL;
}

int access_parse_status(const char *text, size_t len, struct access_status *ret)
{
	struct access_status s = { 0 };
	const char *v;
	size_t vlen;
	int r;

	v = status_field(text, len, "CapEff", &vlen);
	if (!v || parse_cap(v, vlen, &s.cap_eff) < 0)
		return -EINVAL;
	v = status_field(text, len, "Groups", &vlen);
	if (!v)
		return -EINVAL;
	r = parse_groups(v, vlen, &s);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

static int read_status(int procfs_fd, pid_t tid, struct access_status *ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t size = 4096, len = 0;
	char path[32];

	(void)snprintf(path, sizeof(path), "%d/status", (int)tid);
	fd = openat(procfs_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	for (;;) {
		ssize_t n;

		if (!buf || len == size) {
			char *bigger;

			if (buf)
				size *= 2;
			if (size > STATUS_MAX)
				return -E2BIG;
			bigger = realloc(buf, size);
			if (!bigger)
				return -ENOMEM;
			buf = bigger;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return access_parse_status(buf, len, ret);
}

static bool same_userns(const struct access_caller *c)
{
	char path[32], link[64];
	ssize_t n;

	if (!c->self_userns)
		return false;
	(void)snprintf(path, sizeof(path), "%d/ns/user", (int)c->tid);
	n = readlinkat(c->procfs_fd, path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, c->self_userns) == 0;
}

/* Groups and capabilities, once per request. Returns false for a caller we cannot read
 * (tid 0, or gone): it then has no capabilities, and a decision that depends on its groups
 * refuses. */
static bool load(struct access_caller *c)
{
	if (!c->loaded) {
		c->loaded = true;
		if (c->tid > 0 && read_status(c->procfs_fd, c->tid, &c->status) == 0) {
			c->status_ok = true;
			c->own_userns = same_userns(c);
		}
	}
	return c->status_ok;
}

static bool capable(struct access_caller *c, uint64_t cap)
{
	return load(c) && c->own_userns && (c->status.cap_eff & cap);
}

static bool in_group(struct access_caller *c, gid_t gid)
{
	if (gid == c->gid)
		return true;
	if (!load(c))
		return false;
	for (size_t i = 0; i < c->status.n_groups; i++)
		if (c->status.groups[i] == gid)
			return true;
	return false;
}

static bool owner_or_capable(struct access_caller *c, const struct stat *st)
{
	return c->uid == st->st_uid || capable(c, ACCESS_CAP_FOWNER);
}

static bool grants(unsigned bits, int mask)
{
	return (bits & (unsigned)mask) == (unsigned)mask;
}

int access_check(struct access_caller *c, const struct stat *st, int mask)
{
	unsigned mode = st->st_mode, bits;

	mask &= R_OK | W_OK | X_OK;
	if (c->uid == st->st_uid) {
		bits = mode >> 6 & 7;
	} else {
		unsigned group = mode >> 3 & 7, other = mode & 7;

		/* The supplementary groups are read only if membership changes the answer. */
		if (grants(group, mask) == grants(other, mask))
			bits = other;
		else if (c->gid == st->st_gid || in_group(c, st->st_gid))
			bits = group;
		else if (!c->status_ok)
			return -EACCES; /* membership unknown: never guess in the caller's favour */
		else
			bits = other;
	}
	if (grants(bits, mask))
		return 0;
	if (!(mask & ~R_OK) && capable(c, ACCESS_CAP_DAC_READ_SEARCH))
		return 0;
	/* As for the kernel: CAP_DAC_OVERRIDE executes only what someone may execute. */
	if (capable(c, ACCESS_CAP_DAC_OVERRIDE) && (!(mask & X_OK) || (mode & 0111)))
		return 0;
	return -EACCES;
}

int access_check_open(struct access_caller *c, const struct stat *st, int flags)
{
	int mask;

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		mask = R_OK;
		break;
	case O_WRONLY:
		mask = W_OK;
		break;
	default:
		mask = R_OK | W_OK;
		break;
	}
	if (flags & O_TRUNC)
		mask |= W_OK;
	return access_check(c, st, mask);
}

static int check_chown(struct access_caller *c, const struct stat *st, const struct stat *attr,
		       int to_set)
{
	bool owner = c->uid == st->st_uid;

	if ((to_set & ACCESS_SET_UID) && !(owner && attr->st_uid == st->st_uid) &&
	    !capable(c, ACCESS_CAP_CHOWN))
		return -EPERM;
	/* An owner may give the file to one of their own groups. */
	if ((to_set & ACCESS_SET_GID) &&
	    !(owner && (attr->st_gid == st->st_gid || in_group(c, attr->st_gid))) &&
	    !capable(c, ACCESS_CAP_CHOWN))
		return -EPERM;
	return 0;
}

static int check_times(struct access_caller *c, const struct stat *st, int to_set)
{
	bool explicit_time = ((to_set & ACCESS_SET_ATIME) && !(to_set & ACCESS_SET_ATIME_NOW)) ||
			     ((to_set & ACCESS_SET_MTIME) && !(to_set & ACCESS_SET_MTIME_NOW));

	if (owner_or_capable(c, st))
		return 0;
	if (explicit_time)
		return -EPERM;
	return access_check(c, st, W_OK); /* "touch": now, which write permission allows */
}

int access_check_setattr(struct access_caller *c, const struct stat *st, const struct stat *attr,
			 int to_set, bool from_writable_fd)
{
	int r;

	if (to_set & ACCESS_SET_MODE) {
		/* Set-id bits on a file in a directory root writes: never, for anyone. */
		if (attr->st_mode & (S_ISUID | (S_ISDIR(st->st_mode) ? 0 : S_ISGID)))
			return -EPERM;
		if (!owner_or_capable(c, st))
			return -EPERM;
	}
	if (to_set & (ACCESS_SET_UID | ACCESS_SET_GID)) {
		r = check_chown(c, st, attr, to_set);
		if (r < 0)
			return r;
	}
	if ((to_set & ACCESS_SET_SIZE) && !from_writable_fd) {
		r = access_check(c, st, W_OK);
		if (r < 0)
			return r;
	}
	if (to_set & (ACCESS_SET_ATIME | ACCESS_SET_MTIME))
		return check_times(c, st, to_set);
	return 0;
}

int access_check_delete(struct access_caller *c, const struct stat *dir, const struct stat *st)
{
	int r = access_check(c, dir, W_OK | X_OK);

	if (r < 0)
		return r;
	if ((dir->st_mode & S_ISVTX) && c->uid != st->st_uid && c->uid != dir->st_uid &&
	    !capable(c, ACCESS_CAP_FOWNER))
		return -EPERM;
	return 0;
}

int access_check_link(struct access_caller *c, const struct stat *st)
{
	if (owner_or_capable(c, st))
		return 0;
	if (S_ISREG(st->st_mode) && !(st->st_mode & (S_ISUID | S_ISGID)) &&
	    access_check(c, st, R_OK | W_OK) == 0)
		return 0;
	return -EPERM;
}
