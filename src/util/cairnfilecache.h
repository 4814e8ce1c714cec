/*
 * cairnfilecache.h: a file's text kept in memory, re-read only when the
 * file may have changed.
 *
 * Several processes share the files under a root, so every call must see
 * what the others wrote; reading a file back each time costs several
 * system calls, a stat(2) costs one. A stamp (device, inode, size, mtime,
 * ctime) tells a file that changed from one that did not, with one
 * exception: timestamps are coarse (a kernel tick), so a file rewritten
 * within the tick of the stamp, with the inode number of the file it
 * replaced and the same size, would look unchanged. As git does for its
 * index, a stamp is trusted only once its file is "settled": its ctime was
 * more than CAIRN_FILE_SETTLE_US older than the clock when the stamp was
 * taken. A later change then necessarily gets a later ctime. A file that
 * changed recently is simply read again until it settles.
 *
 * Changes that rewrite a file in place without changing its size within
 * one tick are the only ones a settled stamp could miss: none of Cairn's
 * writers does that (cairnFileWriteAtomic() renames a new file in place),
 * and a directory's stamp changes with every rename into it.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* How old a file's ctime must be for its stamp to be trusted: file
 * timestamps come from a clock that advances once per kernel tick (10 ms
 * at HZ=100, the coarsest configuration) and lags the real-time clock by
 * up to one tick, so two ticks and some slack. */
#define CAIRN_FILE_SETTLE_US (25 * G_TIME_SPAN_MILLISECOND)

typedef struct {
    bool taken; /* false: nothing known, compares as changed */
    bool exists;
    bool settled; /* its ctime was older than CAIRN_FILE_SETTLE_US when taken */
    dev_t dev;
    ino_t ino;
    off_t size;
    gint64 mtime_ns;
    gint64 ctime_ns;
} cairnFileStamp;

/* stat(2) @path into @stamp; a missing file is a stamp too. Fails only
 * when stat fails otherwise (CAIRN_ERR_SYSTEM_ERROR). */
bool cairnFileStampTake(const char *path, cairnFileStamp *stamp, GError **error);

/* True when @before was settled and @now describes the same file: what
 * was read after @before was taken is still what the file holds. */
bool cairnFileStampUnchanged(const cairnFileStamp *before, const cairnFileStamp *now);

typedef struct {
    char *text;           /* as last read or written; NULL: absent */
    cairnFileStamp stamp; /* taken before the text was read; not taken
                           * after a write of our own */
} cairnFileCache;

/* Check @path against @cache. Returns -1 on error; 0 when its text is the
 * cached one (the stamp is updated); 1 when it differs: *@ret_text is the
 * new text (NULL when the file is absent) and *@ret_stamp its stamp, for
 * cairnFileCacheCommit() once the caller accepted the text. Files over
 * @max_len bytes (0: no limit) are an error. */
int cairnFileCacheCheck(cairnFileCache *cache,
                        const char *path,
                        gsize max_len,
                        char **ret_text,
                        cairnFileStamp *ret_stamp,
                        GError **error);

/* Make @text (consumed; NULL: absent) the cached text; @stamp NULL for
 * text this process wrote itself (the next check reads the file once). */
void cairnFileCacheCommit(cairnFileCache *cache, char *text, const cairnFileStamp *stamp);

/* Forget everything. */
void cairnFileCacheClear(cairnFileCache *cache);

/* A cairnFileCache on the heap, for tables; frees with cairnFileCacheFree. */
cairnFileCache *cairnFileCacheNew(void);
void cairnFileCacheFree(cairnFileCache *cache);
