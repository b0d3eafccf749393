/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backing.h"
#include "dirtree.h"
#include "holders.h"
#include "mounts.h"
#include "names.h"
#include "util.h"

static DIR *opendir_fd(int dir_fd)
{
	return opendir_at(dir_fd, ".");
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

/* The backing directory's entry DE is of the kind a namespace is served from: a directory
 * with --dir, anything else without. */
static bool entry_of_mode(const struct rcfs_ctx *ctx, int dir_fd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return (de->d_type == DT_DIR) == ctx->cfg->dir_mode;
	if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISDIR(st.st_mode) == ctx->cfg->dir_mode;
}

/* DE is the template (-d) itself, kept in the backing directory: TMPL is its stat, or NULL.
 * (Not by d_ino: a mount point's entry names the inode underneath.) */
static bool is_template(const struct stat *tmpl, int dir_fd, const struct dirent *de)
{
	struct stat st;

	return tmpl && fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       st.st_dev == tmpl->st_dev && st.st_ino == tmpl->st_ino;
}

struct orphan {
	char file[NAME_MAX + 1];
	char reason[128];
	bool by_id; /* --gc removes only these: a name may be "ip netns add"ed again */
};

static int scan_orphans(const struct rcfs_ctx *ctx, const struct live_set *live,
			const struct names_table *names, struct orphan **ret, size_t *ret_n)
{
	bool dir = ctx->cfg->dir_mode;
	const char *ext = dir ? "" : ctx->cfg->extension; /* --dir: BACKING_DIR/<ID>/ */
	struct stat tmpl_st, *tmpl = NULL;
	struct orphan *v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	if (ctx->template_fd >= 0 && fstat(ctx->template_fd, &tmpl_st) == 0)
		tmpl = &tmpl_st;
	d = opendir_fd(ctx->backing_dir_fd);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char name[NAME_MAX + 1], reason[128];
		bool by_id = false;
		uint64_t id;

		if (!entry_of_mode(ctx, dirfd(d), de) || is_template(tmpl, dirfd(d), de) ||
		    (dir && de->d_name[0] == '.')) /* "." "..", a template copy being made */
			continue;
		if (stale_file(de->d_name)) {
			(void)snprintf(reason, sizeof(reason),
				       "moved aside: its namespace died and the ID was reused");
			by_id = true;
		} else if (id_file(de->d_name, ext, &id)) {
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
			   (dir ? name_is_valid(de->d_name) &&
					    snprintf(name, sizeof(name), "%s", de->d_name) > 0 :
				  named_file(de->d_name, ext, name, sizeof(name)))) {
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

/* What KEY is served: its SOURCE and, in PATH, the file (--dir: directory), or where its own
 * would be. As backing_stat(): 0, or -ENOENT (SOURCE none) or another -errno. */
static int served(const struct rcfs_ctx *ctx, const struct rcfs_key *key, enum rcfs_source *source,
		  char *path, size_t size)
{
	struct dirtree_root root;
	struct stat st;
	int r;

	if (!ctx->cfg->dir_mode)
		return backing_stat(ctx, key, &st, source, path, size);
	r = dirtree_peek(ctx, key, &root);
	if (r < 0)
		return r;
	dirtree_root_done(&root);
	(void)snprintf(path, size, "%s/%s", ctx->cfg->backing_dir, root.own);
	if (root.id.kind == DIRTREE_TEMPLATE)
		(void)snprintf(path, size, "%s", ctx->cfg->default_file);
	*source = root.id.kind == DIRTREE_OWN	   ? RCFS_SOURCE_OWN :
		  root.id.kind == DIRTREE_TEMPLATE ? RCFS_SOURCE_TEMPLATE :
						     RCFS_SOURCE_NONE;
	return *source == RCFS_SOURCE_NONE ? -ENOENT : 0;
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

static const char *holder_word(enum holder by)
{
	switch (by) {
	case HELD_BY_THREAD:
		return "thread";
	case HELD_BY_MOUNT:
		return "mount";
	case HELD_BY_FD:
		return "fd";
	default:
		return "socket";
	}
}

static int collect(const struct rcfs_ctx *ctx, const struct names_table **ret_names,
		   struct live_set *live, struct scan_gaps *gaps, struct orphan **orphans,
		   size_t *n_orphans)
{
	const struct names_table *names = NULL;
	int r;

	if (ctx->key_kind == KEY_NET && ctx->names)
		names = ctx->names->table;
	r = holders_scan(ctx, names, live, gaps);
	if (r < 0)
		return log_error_errno(r, "cannot list processes in '%s'", ctx->cfg->procfs);
	/* Not fatal: root can read every process unless an LSM or a sandbox says no, and then
	 * nothing could ever be collected. Said loudly, as a namespace only they hold would be
	 * taken for dead. */
	if (gaps->n)
		log_warning("cannot inspect %zu process(es) in '%s' (pid %d: %s); a "
			    "namespace only they hold is taken for dead",
			    gaps->n, ctx->cfg->procfs, (int)gaps->pid, strerror(-gaps->error));
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
	struct scan_gaps gaps = { 0 };
	struct orphan *orphans = NULL;
	size_t n_orphans = 0;
	const char *kind = key_kind_name(ctx->key_kind);

	if (collect(ctx, &names, &live, &gaps, &orphans, &n_orphans) < 0) {
		free(live.v);
		return EXIT_FAILURE;
	}
	if (json)
		printf("{\"key\":\"%s\",\"mode\":\"%s\",\"backing_dir\":", kind,
		       ctx->cfg->dir_mode ? "dir" : "file");
	if (json)
		json_string(stdout, ctx->cfg->backing_dir);
	if (json)
		printf(",\"namespaces\":[");
	else
		printf("%-6s %-20s %-24s %-11s %-9s %s\n", "KEY", "ID", "NAMES", "PID", "SERVED",
		       ctx->cfg->dir_mode ? "DIRECTORY" : "FILE");
	for (size_t i = 0; i < live.n; i++) {
		/* tid 0 without a thread in it: key_cookie() then reads no PROCFS entry */
		struct rcfs_key key = { ctx->key_kind, live.v[i].id, live.v[i].tid };
		const char *nv[NAMES_MAX_PER_NS];
		size_t nn = names ? names_table_find(names, key.id, nv, NAMES_MAX_PER_NS) : 0;
		enum rcfs_source source = RCFS_SOURCE_NONE;
		char path[PATH_MAX], joined[256] = "-", pid[24] = "-";
		int r;

		r = served(ctx, &key, &source, path, sizeof(path));
		if (r < 0)
			source = RCFS_SOURCE_NONE;
		if (json) {
			printf("%s{\"id\":%" PRIu64 ",\"names\":[", i ? "," : "", key.id);
			for (size_t j = 0; j < nn; j++) {
				printf("%s", j ? "," : "");
				json_string(stdout, nv[j]);
			}
			printf("],\"pid\":");
			if (live.v[i].tid)
				printf("%d", (int)live.v[i].tid);
			else
				printf("null");
			printf(",\"held_by\":\"%s\"", holder_word(live.v[i].by));
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
		if (live.v[i].tid)
			(void)snprintf(pid, sizeof(pid), "%d", (int)live.v[i].tid);
		else if (live.v[i].by == HELD_BY_MOUNT)
			(void)snprintf(pid, sizeof(pid), "bind-only");
		else
			(void)snprintf(pid, sizeof(pid), "%s-only", holder_word(live.v[i].by));
		printf("%-6s %-20" PRIu64 " %-24s %-11s %-9s %s%s%s\n", kind, key.id, joined, pid,
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
		printf("\nBacking %s no live namespace uses:\n",
		       ctx->cfg->dir_mode ? "directories" : "files");
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
	struct scan_gaps gaps = { 0 };
	struct orphan *orphans = NULL;
	size_t n_orphans = 0, shown = 0;
	int ret = EXIT_SUCCESS;

	if (collect(ctx, &names, &live, &gaps, &orphans, &n_orphans) < 0) {
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
			int r = ctx->cfg->dir_mode ?
					dirtree_remove(ctx->backing_dir_fd, orphans[i].file) :
				unlinkat(ctx->backing_dir_fd, orphans[i].file, 0) < 0 ? -errno :
											0;

			if (r < 0) {
				log_error_errno(r, "cannot delete '%s/%s'", ctx->cfg->backing_dir,
						orphans[i].file);
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
		printf("no unused backing %s in %s\n", ctx->cfg->dir_mode ? "directories" : "files",
		       ctx->cfg->backing_dir);
	else if (!remove)
		printf("%zu unused; run with --delete to remove them\n", shown);
	free(live.v);
	free(orphans);
	return ret;
}
