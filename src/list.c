/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backing.h"
#include "names.h"
#include "util.h"

struct live {
	uint64_t id;
	pid_t pid; /* lowest pid in it, or 0: only a bind mount keeps it alive */
};

struct live_set {
	struct live *v;
	size_t n, cap;
};

static int live_add(struct live_set *s, uint64_t id, pid_t pid)
{
	if (s->n == s->cap) {
		struct live *v = realloc(s->v, (s->cap ? s->cap * 2 : 64) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	s->v[s->n++] = (struct live){ id, pid };
	return 0;
}

static int live_cmp(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	/* pid 0 (bind mount only) after any real pid */
	if ((x->pid == 0) != (y->pid == 0))
		return x->pid == 0 ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Sorted by id, one entry per id with its lowest pid. */
static void live_finish(struct live_set *s)
{
	size_t j = 0;

	qsort(s->v, s->n, sizeof(*s->v), live_cmp);
	for (size_t i = 0; i < s->n; i++)
		if (j == 0 || s->v[j - 1].id != s->v[i].id)
			s->v[j++] = s->v[i];
	s->n = j;
}

static bool live_has(const struct live_set *s, uint64_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].id == id)
			return true;
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The uid or gid the kernel checks files against (the fs one), from PROCFS/PID/status. */
static int status_id(int procfs_fd, const char *pid, enum rcfs_key_kind kind, uint64_t *ret)
{
	const char *key = kind == KEY_UID ? "Uid:" : "Gid:";
	_cleanup_free_ char *line = NULL;
	unsigned long long r, e, s, fs;
	size_t cap = 0;
	char path[64];
	int fd, found = -ENOENT;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/status", pid);
	fd = openat(procfs_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f) {
		(void)close(fd);
		return -errno;
	}
	while (getline(&line, &cap, f) > 0)
		if (strncmp(line, key, 4) == 0 &&
		    sscanf(line + 4, "%llu %llu %llu %llu", &r, &e, &s, &fs) == 4) {
			*ret = fs;
			found = 0;
			break;
		}
	(void)fclose(f);
	return found;
}

/* A directory stream on the directory an O_PATH fd names (the fd itself stays ours). */
static DIR *opendir_fd(int dir_fd)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;

		(void)close(fd);
		errno = saved;
	}
	return d;
}

static int scan_live(const struct rcfs_ctx *ctx, const struct names_table *names,
		     struct live_set *ret)
{
	struct dirent *de;
	DIR *d;
	int r;

	d = opendir_fd(ctx->procfs_fd);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct rcfs_key key;
		uint64_t id = 0;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		if (key_kind_is_namespace(ctx->key_kind)) {
			if (key_of_entry(ctx->procfs_fd, ctx->key_kind, de->d_name, &key) < 0)
				continue; /* gone, or a kernel thread without namespaces */
			id = key.id;
		} else if (status_id(ctx->procfs_fd, de->d_name, ctx->key_kind, &id) < 0) {
			continue;
		}
		r = live_add(ret, id, (pid_t)atoi(de->d_name));
		if (r < 0) {
			(void)closedir(d);
			return r;
		}
	}
	(void)closedir(d);
	for (size_t i = 0; names && i < names->count; i++) {
		r = live_add(ret, names->entries[i].ino, 0);
		if (r < 0)
			return r;
	}
	live_finish(ret);
	return 0;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A file the daemon moved aside: "<ID file>.stale-<digits>" (see check_owner()). */
static bool stale_file(const char *name)
{
	const char *p = strstr(name, ".stale-");

	return p && p != name && p[7] && strspn(p + 7, "0123456789") == strlen(p + 7);
}

/* A backing file named by an ID ("<digits>.EXT", "<digits>" when EXT is empty). */
static bool id_file(const char *name, const char *ext, uint64_t *ret)
{
	size_t digits = strspn(name, "0123456789"), len = strlen(name);
	char *end;

	if (digits == 0 || digits > 20 || (name[0] == '0' && digits > 1))
		return false;
	if (ext[0] == '\0' ? digits != len :
			     name[digits] != '.' || strcmp(name + digits + 1, ext) != 0)
		return false;
	errno = 0;
	*ret = strtoull(name, &end, 10);
	return errno == 0;
}

/* A backing file named by a netns name: NAME.EXT with NAME valid (never with an empty EXT:
 * then every file would look like one). */
static bool named_file(const char *name, const char *ext, char *ret, size_t size)
{
	size_t len = strlen(name), elen = strlen(ext);

	if (elen == 0 || len <= elen + 1 || name[len - elen - 1] != '.' ||
	    strcmp(name + len - elen, ext) != 0 || len - elen - 1 >= size)
		return false;
	memcpy(ret, name, len - elen - 1);
	ret[len - elen - 1] = '\0';
	return name_is_valid(ret);
}

struct orphan {
	char file[NAME_MAX + 1];
	char reason[128];
	bool by_id; /* --gc removes only these: a name may be "ip netns add"ed again */
};

static int scan_orphans(const struct rcfs_ctx *ctx, const struct live_set *live,
			const struct names_table *names, struct orphan **ret, size_t *ret_n)
{
	struct orphan *v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	d = opendir_fd(ctx->backing_dir_fd);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char name[NAME_MAX + 1], reason[128];
		bool by_id = false;
		uint64_t id;

		if (stale_file(de->d_name)) {
			(void)snprintf(reason, sizeof(reason),
				       "moved aside: its namespace died and the ID was reused");
			by_id = true;
		} else if (id_file(de->d_name, ctx->cfg->extension, &id)) {
			if (live_has(live, id))
				continue;
			(void)snprintf(reason, sizeof(reason), "no live %s namespace %" PRIu64,
				       key_kind_name(ctx->key_kind), id);
			if (!key_kind_is_namespace(ctx->key_kind))
				(void)snprintf(reason, sizeof(reason),
					       "no process with %s %" PRIu64,
					       key_kind_name(ctx->key_kind), id);
			by_id = true;
		} else if (ctx->key_kind == KEY_NET && names &&
			   named_file(de->d_name, ctx->cfg->extension, name, sizeof(name))) {
			bool known = false;

			for (size_t i = 0; i < names->count && !known; i++)
				known = strcmp(names->entries[i].name, name) == 0;
			if (known)
				continue;
			(void)snprintf(reason, sizeof(reason), "no network namespace named '%.64s'",
				       name);
		} else {
			continue;
		}
		if (n % 64 == 0) {
			struct orphan *nv = realloc(v, (n + 64) * sizeof(*nv));

			if (!nv) {
				free(v);
				(void)closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		(void)snprintf(v[n].file, sizeof(v[n].file), "%s", de->d_name);
		(void)snprintf(v[n].reason, sizeof(v[n].reason), "%s", reason);
		v[n].by_id = by_id;
		n++;
	}
	(void)closedir(d);
	*ret = v;
	*ret_n = n;
	return 0;
}

static const char *source_word(enum rcfs_source source)
{
	switch (source) {
	case RCFS_SOURCE_OWN:
		return "own";
	case RCFS_SOURCE_ETC_NETNS:
		return "etc-netns";
	case RCFS_SOURCE_TEMPLATE:
		return "template";
	default:
		return "none";
	}
}

static int collect(const struct rcfs_ctx *ctx, const struct names_table **ret_names,
		   struct live_set *live, struct orphan **orphans, size_t *n_orphans)
{
	const struct names_table *names = NULL;
	int r;

	if (ctx->key_kind == KEY_NET && ctx->names)
		names = ctx->names->table;
	r = scan_live(ctx, names, live);
	if (r < 0)
		return log_error_errno(r, "cannot list processes in '%s'", ctx->cfg->procfs);
	r = scan_orphans(ctx, live, names, orphans, n_orphans);
	if (r < 0)
		return log_error_errno(r, "cannot read backing directory '%s'",
				       ctx->cfg->backing_dir);
	*ret_names = names;
	return 0;
}

int list_run(const struct rcfs_ctx *ctx, bool json)
{
	const struct names_table *names;
	struct live_set live = { 0 };
	struct orphan *orphans = NULL;
	size_t n_orphans = 0;
	const char *kind = key_kind_name(ctx->key_kind);

	if (collect(ctx, &names, &live, &orphans, &n_orphans) < 0) {
		free(live.v);
		return EXIT_FAILURE;
	}
	if (json)
		printf("{\"key\":\"%s\",\"backing_dir\":", kind);
	if (json)
		json_string(stdout, ctx->cfg->backing_dir);
	if (json)
		printf(",\"namespaces\":[");
	else
		printf("%-6s %-20s %-24s %-10s %-9s %s\n", "KEY", "ID", "NAMES", "PID", "SERVED",
		       "FILE");
	for (size_t i = 0; i < live.n; i++) {
		struct rcfs_key key = { ctx->key_kind, live.v[i].id, live.v[i].pid };
		const char *nv[NAMES_MAX_PER_NS];
		size_t nn = names ? names_table_find(names, key.id, nv, NAMES_MAX_PER_NS) : 0;
		enum rcfs_source source = RCFS_SOURCE_NONE;
		char path[PATH_MAX], joined[256] = "-", pid[24] = "-";
		struct stat st;
		int r;

		r = backing_stat(ctx, &key, &st, &source, path, sizeof(path));
		if (r < 0)
			source = RCFS_SOURCE_NONE;
		if (json) {
			printf("%s{\"id\":%" PRIu64 ",\"names\":[", i ? "," : "", key.id);
			for (size_t j = 0; j < nn; j++) {
				printf("%s", j ? "," : "");
				json_string(stdout, nv[j]);
			}
			printf("],\"pid\":");
			if (live.v[i].pid)
				printf("%d", (int)live.v[i].pid);
			else
				printf("null");
			printf(",\"served\":\"%s\",\"file\":", source_word(source));
			json_string(stdout, path);
			printf(",\"error\":");
			if (r < 0 && r != -ENOENT)
				json_string(stdout, strerror(-r));
			else
				printf("null");
			printf("}");
			continue;
		}
		for (size_t j = 0, len = 0; j < nn && len < sizeof(joined) - 1; j++)
			len += (size_t)snprintf(joined + len, sizeof(joined) - len, "%s%s",
						j ? "," : "", nv[j]);
		if (live.v[i].pid)
			(void)snprintf(pid, sizeof(pid), "%d", (int)live.v[i].pid);
		else
			(void)snprintf(pid, sizeof(pid), "bind-only");
		printf("%-6s %-20" PRIu64 " %-24s %-10s %-9s %s%s%s\n", kind, key.id, joined, pid,
		       source_word(source), path, r < 0 && r != -ENOENT ? ": " : "",
		       r < 0 && r != -ENOENT ? strerror(-r) : "");
	}
	if (json) {
		printf("],\"unused_files\":[");
		for (size_t i = 0; i < n_orphans; i++) {
			printf("%s{\"file\":", i ? "," : "");
			json_string(stdout, orphans[i].file);
			printf(",\"reason\":");
			json_string(stdout, orphans[i].reason);
			printf("}");
		}
		printf("]}\n");
	} else if (n_orphans) {
		printf("\nBacking files no live namespace uses:\n");
		for (size_t i = 0; i < n_orphans; i++)
			printf("  %s/%s  (%s)\n", ctx->cfg->backing_dir, orphans[i].file,
			       orphans[i].reason);
	}
	free(live.v);
	free(orphans);
	return EXIT_SUCCESS;
}

int gc_run(const struct rcfs_ctx *ctx, bool json, bool remove)
{
	const struct names_table *names;
	struct live_set live = { 0 };
	struct orphan *orphans = NULL;
	size_t n_orphans = 0, shown = 0;
	int ret = EXIT_SUCCESS;

	if (collect(ctx, &names, &live, &orphans, &n_orphans) < 0) {
		free(live.v);
		return EXIT_FAILURE;
	}
	if (json)
		printf("{\"files\":[");
	for (size_t i = 0; i < n_orphans; i++) {
		const char *done = "listed";

		if (!orphans[i].by_id)
			continue; /* a name may come back with "ip netns add": never collected */
		if (remove) {
			if (unlinkat(ctx->backing_dir_fd, orphans[i].file, 0) < 0) {
				log_error_errno(-errno, "cannot delete '%s/%s'",
						ctx->cfg->backing_dir, orphans[i].file);
				done = "error";
				ret = EXIT_FAILURE;
			} else {
				done = "deleted";
			}
		}
		if (json) {
			printf("%s{\"file\":", shown ? "," : "");
			json_string(stdout, orphans[i].file);
			printf(",\"reason\":");
			json_string(stdout, orphans[i].reason);
			printf(",\"action\":\"%s\"}", done);
		} else {
			printf("%s %s/%s  (%s)\n", remove ? done : "unused", ctx->cfg->backing_dir,
			       orphans[i].file, orphans[i].reason);
		}
		shown++;
	}
	if (json)
		printf("]}\n");
	else if (shown == 0)
		printf("no unused backing files in %s\n", ctx->cfg->backing_dir);
	else if (!remove)
		printf("%zu unused; run with --delete to remove them\n", shown);
	free(live.v);
	free(orphans);
	return ret;
}
