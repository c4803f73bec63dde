/* Word frequencies: every word of a text and how often it occurs, in the
 * order of first appearance.
 *
 * The words are those of the counting rule (rule.h), as Python:
 *
 *     for line in lines(text):               # "\n" or "\r\n" ends a line
 *         for word in line.split(" "):       # empty words included
 *             table[word] += 1               # a new word goes last
 *
 * or, by sep=None, `for word in text.split()`. A word ends at each
 * separator (by sep=" ", a "\r" right before the "\n" dropped), and the
 * text's last word, after its last separator, is a word unless the text is
 * empty or ends in "\n" (by sep=None: unless it is empty). So a text may be
 * cut after any separator and its pieces counted apart: that is how threads
 * share a text, and how a file read in blocks is counted a block at a time.
 *
 *     wc_table t[threads];                   // one per thread, wc_table_init
 *     wc_tally_all(t, threads, &finder, text, len, width, guarded, 0);
 *     wc_table_merge(&into, t, threads);     // first appearance order kept
 *
 * A table owns the bytes of its words (the text may go away: a file block, a
 * mapping): words of up to 8 bytes live in their entry, longer ones in an
 * arena. Memory is bounded by the distinct words, never by the text.
 *
 * The hash is seeded once per process from the system's random source
 * ($WORD_COUNT_HASH_SEED fixes it, for tests), so that no text can be built
 * in advance to make many distinct words share a slot.
 */
#ifndef WORD_COUNT_TALLY_H
#define WORD_COUNT_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

typedef struct {
    uint64_t data;      /* the word's bytes when they fit in 8 (zero-padded);
                           else their offset in the table's arena */
    uint64_t len;       /* in units of the table's width */
    uint64_t first;     /* where it first occurs, in units from the input's start */
} wc_word;

/* Entries are kept in segments, so that growing never copies them, and a
 * reader done with a segment may free it (wc_table_drop_segment). The
 * first segment starts small and grows to full size: a count of a short
 * text allocates little. Counts live apart from the words, in one array (a
 * lookup adds to a count in one instruction): a count is written for every
 * word of the text, and a load of the next word's entry must not wait
 * behind that store. */
#define WC_SEGMENT_WORDS ((size_t)1 << 12)

/* A slot decides a short word (up to 8 bytes, or in a wide table up to 8
 * units below 256 or of that page and one other: most words) on its own:
 * its bytes and length are in the slot, and a hit only adds to a count. */
typedef struct {
    uint64_t head;      /* a short word's key: its bytes, its units narrowed
                           to a byte each, or their low bytes with their
                           page (tally.c); a long word's hash (checked
                           before its entry is read, and all that growing
                           the slots needs) */
    uint32_t index;     /* the entry's index + 1; 0 when the slot is empty */
    uint32_t tag;       /* a short word's length and kind of key (tally.c), or
                           WC_LONG_WORD */
} wc_slot;

#define WC_LONG_WORD 0xff

typedef struct {
    unsigned width;             /* 1, 2 or 4 bytes per unit */
    uint64_t seed;
    wc_slot *slots;
    size_t nslots;              /* a power of two, or 0 */
    wc_word **words;            /* segments of WC_SEGMENT_WORDS entries */
    size_t nsegments;           /* pointers allocated in `words` */
    uint64_t *counts;           /* the entries' counts, in one array */
    size_t counts_cap;          /* counts room (mapped past a segment's worth) */
    size_t first_capacity;      /* entries room in segment 0 */
    size_t nwords;
    unsigned char *arena;       /* the bytes of the words longer than 8 */
    size_t arena_len, arena_cap;
    bool out_of_memory;         /* an allocation failed: the table is incomplete */
} wc_table;

void wc_table_init(wc_table *t, unsigned width);
void wc_table_free(wc_table *t);

/* The i-th word (i < nwords) in order of first appearance, its count and
 * its units. */
static inline wc_word *wc_table_word(const wc_table *t, size_t i)
{
    return &t->words[i / WC_SEGMENT_WORDS][i % WC_SEGMENT_WORDS];
}

static inline uint64_t *wc_table_count(const wc_table *t, size_t i)
{
    return &t->counts[i];
}

static inline const void *wc_table_units(const wc_table *t, const wc_word *w)
{
    return w->len * t->width <= 8 ? (const void *)&w->data : (const void *)(t->arena + w->data);
}

/* Frees segment `s` (words s * WC_SEGMENT_WORDS ...) once read: the table is
 * then only good for wc_table_free. */
void wc_table_drop_segment(wc_table *t, size_t s);

/* Adds `count` occurrences of the word of `len` units at `units` (first seen
 * at `first`). False when out of memory. */
bool wc_table_add(wc_table *t, const void *units, size_t len, uint64_t count, uint64_t first);

/* Adds every word of `from[0 .. n)` to `into`, in order of first appearance
 * over all of them (each from[k] must hold words of disjoint pieces of one
 * input, each in its own order of first appearance; `into`'s words, from
 * earlier input, stay first). from[] is emptied and freed on the way. When
 * `into` is empty and n == 1 the table is moved, not copied. False when out
 * of memory (into is then incomplete). */
bool wc_table_merge(wc_table *into, wc_table *from, size_t n);

/* The words a folded search compares (counts.c): the others are not added.
 * A word passes when it is not empty, its length in units is within
 * [min_len, max_len], and the low bytes of its first and last units are set
 * in `first` and `last` (256 bits each). */
typedef struct {
    size_t min_len, max_len;
    uint64_t first[4], last[4];
} wc_word_filter;

bool wc_word_filter_passes(const wc_word_filter *f, const void *units, size_t len, unsigned width);

/* How the words of a text are found: by `rule`, the backend's separators()
 * finding its separators; with a `filter`, only the words it passes. */
typedef struct {
    const wc_rule *rule;
    const wc_backend *backend;
    const wc_word_filter *filter;   /* or NULL: every word */
} wc_word_finder;

/* Counts into t[0 .. threads) the words of text[0 .. text_len) that end at a
 * separator before `end` (0, or just after a separator), on up to `threads`
 * threads, one table each. `base` is text[0]'s offset in the whole input (for
 * wc_word.first). With `guarded`, the text is a mapped file that may raise
 * SIGBUS (fault.h): false if it did. Out of memory shows in the tables.
 * `chunk_bytes`: 0 for the default (chunks of a megabyte, one thread below
 * WC_TALLY_PARALLEL_MIN_BYTES); tests cut small texts into tiny chunks. */
bool wc_tally_text(wc_table *t, size_t threads, const wc_word_finder *f, const void *text,
                   size_t text_len, unsigned width, size_t end, uint64_t base, bool guarded,
                   size_t chunk_bytes);

/* The rule's last word, text[begin .. text_len) where the input ends (begin
 * just after its last separator): none when the input is empty (`nonempty`
 * false) or its last unit is "\n" (by sep=None: when begin == text_len).
 * False when out of memory. */
bool wc_tally_tail(wc_table *t, const wc_word_finder *f, const void *text, size_t begin,
                   size_t text_len, bool nonempty, uint32_t last_unit, uint64_t base);

/* All of the above for a whole text: its words on up to `threads` threads,
 * and its last word by the rule. False only if a guarded read faulted; out
 * of memory shows in the tables. */
bool wc_tally_all(wc_table *t, size_t threads, const wc_word_finder *f, const void *text,
                  size_t len, unsigned width, bool guarded, size_t chunk_bytes);

/* One text's words, counted on the calling thread: as wc_tally_all for a
 * text short enough for one thread, without its set-up (the values of a
 * column, the texts of Tally.update_all); `base` as wc_tally_text's. False
 * when out of memory. */
bool wc_tally_document(wc_table *t, const wc_word_finder *f, const void *text, size_t len,
                       unsigned width, uint64_t base);

/* Documents (texts of `width`-byte units) gathered into runs and counted a
 * run at a time into t: those that lie one after another where they are are
 * scanned in place, others copied one after another, so that many short
 * texts cost as much as one text of their length. Each document's words are
 * first met at `first` + their unit in it. False when out of memory. */
typedef struct wc_run wc_run;
/* `stays`: each document stays where it is until the run is flushed (a
 * column's values); else every document is copied (or counted at once). */
wc_run *wc_run_new(wc_table *t, const wc_word_finder *f, unsigned width, bool stays);
bool wc_run_add(wc_run *run, const void *text, size_t len, uint64_t first);
bool wc_run_flush(wc_run *run);    /* count what is gathered */
void wc_run_free(wc_run *run);     /* (flush first) */

/* Counts every document's words into t[0 .. threads), the threads taking
 * runs of documents (their words' `first` orders them, not as offsets).
 * Out of memory shows in the tables. */
void wc_tally_documents(wc_table *t, size_t threads, const wc_word_finder *f,
                        const wc_documents *d);

/* The index of the word of `len` units at `units` in t, or SIZE_MAX. */
size_t wc_table_find(const wc_table *t, const void *units, size_t len);

/* Turns a table of a str's words (units of t->width, code points) into one
 * of their UTF-8 bytes (a lone surrogate as Python's "surrogatepass" writes
 * it), order, counts and first places kept: how a Tally keeps a str's words
 * whatever its form. False when out of memory (t is then emptied, and
 * marked out of memory). */
bool wc_table_to_utf8(wc_table *t);

/* Below this many bytes a text is counted on one thread. */
#define WC_TALLY_PARALLEL_MIN_BYTES ((size_t)1 << 20)

/* The hash of a word's bytes under `seed` (for the tests of collisions). */
uint64_t wc_word_hash(const void *bytes, size_t nbytes, uint64_t seed);

/* The process's seed. */
uint64_t wc_hash_seed(void);

#endif
