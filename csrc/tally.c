/* The word tables of tally.h: open addressing with linear probing over
 * 8-byte slots that hold 32 bits of the hash beside the entry's index, so a
 * probe reads an entry only when those bits match, and growing rehashes the
 * slots alone. Entries are appended, so their order is first appearance.
 */
#define _GNU_SOURCE
#include "tally.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "pool.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- the hash ----------------------------------------------------------- */

static pthread_once_t seed_once = PTHREAD_ONCE_INIT;
static uint64_t seed_value;

static void choose_seed(void)
{
    const char *fixed = getenv("WORD_COUNT_HASH_SEED");
    if (fixed && *fixed) {
        seed_value = strtoull(fixed, NULL, 0);
        return;
    }
    if (getrandom(&seed_value, sizeof seed_value, GRND_NONBLOCK) == (ssize_t)sizeof seed_value)
        return;
    /* No entropy yet (early boot): still different per process and run. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    seed_value = (uint64_t)now.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)now.tv_sec
                 ^ (uint64_t)getpid() << 32;
}

uint64_t wc_hash_seed(void)
{
    pthread_once(&seed_once, choose_seed);
    return seed_value;
}

/* A bijection of 64 bits in which every input bit moves every output bit. */
static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93u;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93u;
    x ^= x >> 32;
    return x;
}

/* The first n (<= 8) bytes of an 8-byte load, the others zeroed. */
static inline uint64_t first_bytes(uint64_t x, size_t n)
{
    if (n == 8)
        return x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return n ? x & ~(~(uint64_t)0 >> (8 * n)) : 0;
#else
    return x & ((UINT64_C(1) << (8 * n)) - 1);
#endif
}

/* The word's first bytes, as wc_word.data holds a short word; reads 8 bytes
 * when `readable` (bytes from p that may be read) allows. */
static inline uint64_t load_head(const unsigned char *p, size_t n, size_t readable)
{
    uint64_t x = 0;
    if (readable >= 8) {
        memcpy(&x, p, 8);
        return first_bytes(x, n < 8 ? n : 8);
    }
    memcpy(&x, p, n < 8 ? n : 8);
    return x;
}

static inline uint64_t load8(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Short words, the common case, cost one mix: h = mix(head ^ (seed + n K)).
 * Longer ones chain a mix per 8 bytes, the last 8 read overlapping. With
 * the seed unknown, which words share a slot cannot be foreseen. */
static inline uint64_t hash_words(const unsigned char *p, size_t n, uint64_t head, uint64_t seed)
{
    uint64_t h = seed + (uint64_t)n * 0x9e3779b97f4a7c15u;
    if (n <= 8)
        return mix(h ^ head);
    for (size_t i = 0; i + 8 < n; i += 8)
        h = mix(h ^ load8(p + i));
    return mix(h ^ load8(p + n - 8));
}

uint64_t wc_word_hash(const void *bytes, size_t nbytes, uint64_t seed)
{
    return hash_words(bytes, nbytes, load_head(bytes, nbytes, 0), seed);
}

/* ---- the table ---------------------------------------------------------- */

#define INITIAL_SLOTS ((size_t)1024)

void wc_table_init(wc_table *t, unsigned width)
{
    memset(t, 0, sizeof *t);
    t->width = width;
    t->seed = wc_hash_seed();
}

void wc_table_free(wc_table *t)
{
    size_t used = (t->nwords + WC_SEGMENT_WORDS - 1) / WC_SEGMENT_WORDS;
    for (size_t s = 0; s < used; s++)
        free(t->segments[s]);
    free(t->segments);
    free(t->slots);
    free(t->arena);
    unsigned width = t->width;
    wc_table_init(t, width);
}

void wc_table_drop_segment(wc_table *t, size_t s)
{
    free(t->segments[s]);
    t->segments[s] = NULL;
}

static inline uint32_t tag_of(uint64_t hash)
{
    return (uint32_t)(hash >> 32);
}

/* Slots double when half full: probes then stay short, and a slot costs 8
 * bytes against an entry's 32. */
static bool grow_slots(wc_table *t)
{
    size_t n = t->nslots ? 2 * t->nslots : INITIAL_SLOTS;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < t->nslots; i++) {
        uint64_t s = t->slots[i];
        if (!s)
            continue;
        size_t j = (s >> 32) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = s;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return true;
}

/* Room for one more entry; its index is t->nwords. */
static wc_word *new_entry(wc_table *t)
{
    size_t s = t->nwords / WC_SEGMENT_WORDS;
    if (t->nwords % WC_SEGMENT_WORDS == 0) {
        if (s == t->nsegments) {
            size_t n = t->nsegments ? 2 * t->nsegments : 16;
            wc_word **segments = realloc(t->segments, n * sizeof *segments);
            if (!segments)
                return NULL;
            t->segments = segments;
            t->nsegments = n;
        }
        t->segments[s] = malloc(WC_SEGMENT_WORDS * sizeof(wc_word));
        if (!t->segments[s])
            return NULL;
    }
    return &t->segments[s][t->nwords % WC_SEGMENT_WORDS];
}

static bool arena_reserve(wc_table *t, size_t nbytes)
{
    if (t->arena_cap - t->arena_len >= nbytes)
        return true;
    size_t cap = t->arena_cap ? t->arena_cap : 4096;
    while (cap - t->arena_len < nbytes) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    unsigned char *arena = realloc(t->arena, cap);
    if (!arena)
        return false;
    t->arena = arena;
    t->arena_cap = cap;
    return true;
}

/* Adds `count` to the word of nbytes bytes at p, whose head and hash are
 * known. The text is read (copying a long word) before anything changes, so
 * a SIGBUS in a mapped file leaves the table whole. */
static inline bool add_hashed(wc_table *t, const unsigned char *p, size_t nbytes,
                              uint64_t head, uint64_t hash, uint64_t count, uint64_t first)
{
    if (t->nwords >= t->nslots / 2 && !grow_slots(t)) {
        t->out_of_memory = true;
        return false;
    }
    const uint64_t tag = tag_of(hash);
    const size_t mask = t->nslots - 1;
    const size_t len = nbytes / t->width;
    size_t j = tag & mask;
    for (uint64_t s; (s = t->slots[j]) != 0; j = (j + 1) & mask) {
        if (s >> 32 != tag)
            continue;
        wc_word *w = wc_table_word(t, (uint32_t)s - 1);
        if (w->len == len
            && (nbytes <= 8 ? w->data == head : memcmp(t->arena + w->data, p, nbytes) == 0)) {
            w->count += count;
            return true;
        }
    }
    if (t->nwords >= UINT32_MAX - 1) {      /* the slot's 32-bit index */
        t->out_of_memory = true;
        return false;
    }
    uint64_t data = head;
    if (nbytes > 8) {
        if (!arena_reserve(t, nbytes)) {
            t->out_of_memory = true;
            return false;
        }
        memcpy(t->arena + t->arena_len, p, nbytes);
        data = t->arena_len;
    }
    wc_word *w = new_entry(t);
    if (!w) {
        t->out_of_memory = true;
        return false;
    }
    t->arena_len += nbytes > 8 ? nbytes : 0;
    *w = (wc_word){.data = data, .len = len, .count = count, .first = first};
    t->nwords++;
    t->slots[j] = tag << 32 | (uint64_t)t->nwords;
    return true;
}

bool wc_table_add(wc_table *t, const void *units, size_t len, uint64_t count, uint64_t first)
{
    size_t nbytes = len * t->width;
    uint64_t head = load_head(units, nbytes, 0);
    return add_hashed(t, units, nbytes, head, hash_words(units, nbytes, head, t->seed),
                      count, first);
}

/* ---- merging ------------------------------------------------------------ */

bool wc_table_merge(wc_table *into, wc_table *from, size_t n)
{
    if (n == 1 && into->nwords == 0 && !into->slots) {
        wc_table_free(into);
        *into = from[0];
        wc_table_init(&from[0], into->width);
        return !into->out_of_memory;
    }
    /* A k-way merge on `first`: each table lists its words in the order it
     * first met them, and its pieces of the input come in order, so the
     * first time the merge meets a word is where it first occurs. */
    size_t next[WC_POOL_MAX_WORKERS + 1] = {0};
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        free(from[k].slots);
        from[k].slots = NULL;
        ok = ok && !from[k].out_of_memory;
    }
    for (;;) {
        size_t best = n;
        uint64_t best_first = UINT64_MAX;
        for (size_t k = 0; k < n; k++) {
            if (next[k] < from[k].nwords) {
                uint64_t f = wc_table_word(&from[k], next[k])->first;
                if (best == n || f < best_first) {
                    best = k;
                    best_first = f;
                }
            }
        }
        if (best == n || !ok)
            break;
        wc_table *t = &from[best];
        const wc_word *w = wc_table_word(t, next[best]);
        ok = wc_table_add(into, wc_table_units(t, w), w->len, w->count, w->first);
        if (++next[best] % WC_SEGMENT_WORDS == 0)
            wc_table_drop_segment(t, next[best] / WC_SEGMENT_WORDS - 1);
    }
    for (size_t k = 0; k < n; k++) {
        /* Segments already dropped are NULL: free() of those is a no-op. */
        wc_table_free(&from[k]);
    }
    if (!ok)
        into->out_of_memory = true;
    return ok;
}

/* ---- finding the words -------------------------------------------------- */

static inline uint32_t unit_at(const unsigned char *text, size_t i, unsigned width)
{
    if (width == 1)
        return text[i];
    if (width == 2) {
        uint16_t u;
        memcpy(&u, text + 2 * i, 2);
        return u;
    }
    uint32_t u;
    memcpy(&u, text + 4 * i, 4);
    return u;
}

static inline bool is_separator(uint32_t unit)
{
    return unit == ' ' || unit == '\n';
}

#if defined(__SSE2__)
/* Bit i set when unit i of the 16 at p is " " or "\n". */
static inline unsigned separators16(const unsigned char *p, unsigned width)
{
    if (width == 1) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        return (unsigned)_mm_movemask_epi8(hit);
    }
    if (width == 2) {
        const __m128i space = _mm_set1_epi16(' '), newline = _mm_set1_epi16('\n');
        __m128i a = _mm_loadu_si128((const __m128i *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
        a = _mm_or_si128(_mm_cmpeq_epi16(a, space), _mm_cmpeq_epi16(a, newline));
        b = _mm_or_si128(_mm_cmpeq_epi16(b, space), _mm_cmpeq_epi16(b, newline));
        return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(a, b));
    }
    const __m128i space = _mm_set1_epi32(' '), newline = _mm_set1_epi32('\n');
    __m128i v[4];
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        v[k] = _mm_or_si128(_mm_cmpeq_epi32(x, space), _mm_cmpeq_epi32(x, newline));
    }
    __m128i lo = _mm_packs_epi32(v[0], v[1]), hi = _mm_packs_epi32(v[2], v[3]);
    return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(lo, hi));
}
#else
static inline unsigned separators16(const unsigned char *p, unsigned width)
{
    unsigned bits = 0;
    for (unsigned i = 0; i < 16; i++)
        bits |= (unsigned)is_separator(unit_at(p, i, width)) << i;
    return bits;
}
#endif

typedef struct {
    wc_table *t;
    const unsigned char *text;
    size_t text_len;        /* units */
    unsigned width;
    uint64_t base;
} scan;

/* The word [start, sep) ended by the separator at `sep`. */
static inline bool add_word(const scan *s, size_t start, size_t sep)
{
    const unsigned width = s->width;
    size_t len = sep - start;
    if (len && unit_at(s->text, sep, width) == '\n' && unit_at(s->text, sep - 1, width) == '\r')
        len--;
    const unsigned char *p = s->text + start * width;
    size_t nbytes = len * width;
    uint64_t head = load_head(p, nbytes, (s->text_len - start) * width);
    return add_hashed(s->t, p, nbytes, head, hash_words(p, nbytes, head, s->t->seed), 1,
                      s->base + start);
}

/* The words ended by the separators in [begin, end); begin is 0 or follows a
 * separator. */
static bool scan_range(const scan *s, size_t begin, size_t end)
{
    const unsigned width = s->width;
    size_t start = begin, i = begin;
    for (; i + 16 <= end; i += 16) {
        unsigned bits = separators16(s->text + i * width, width);
        while (bits) {
            size_t sep = i + (size_t)__builtin_ctz(bits);
            bits &= bits - 1;
            if (!add_word(s, start, sep))
                return false;
            start = sep + 1;
        }
    }
    for (; i < end; i++) {
        if (is_separator(unit_at(s->text, i, width))) {
            if (!add_word(s, start, i))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* The first separator in [from, to), or `to`. */
static size_t next_separator(const scan *s, size_t from, size_t to)
{
    while (from < to && !is_separator(unit_at(s->text, from, s->width)))
        from++;
    return from;
}

bool wc_tally_tail(wc_table *t, const void *text, size_t begin, size_t text_len,
                   bool nonempty, uint32_t last_unit, uint64_t base)
{
    if (!nonempty || last_unit == '\n')
        return true;    /* no line after a final "\n", none in an empty input */
    return wc_table_add(t, (const unsigned char *)text + begin * t->width, text_len - begin,
                        1, base + begin);
}

/* ---- threads ------------------------------------------------------------ */

/* Each thread takes chunks of CHUNK_BYTES in order, and counts the words
 * that start in its chunk: from just after the chunk's first separator (the
 * text's start for chunk 0) to its first separator past the chunk's end. */
#define CHUNK_BYTES ((size_t)1 << 20)

typedef struct {
    scan base_scan;
    wc_table *tables;
    size_t end;
    size_t chunk;           /* units */
    size_t nchunks;
    atomic_size_t next_chunk;
    bool guarded;
    atomic_bool faulted;
} tally_job;

typedef struct {
    tally_job *job;
    scan s;
} tally_loop;

static void count_chunks(void *ctx)
{
    tally_loop *loop = ctx;
    tally_job *job = loop->job;
    for (;;) {
        size_t c = atomic_fetch_add(&job->next_chunk, 1);
        if (c >= job->nchunks || loop->s.t->out_of_memory)
            return;
        size_t lo = c * job->chunk;
        size_t hi = c + 1 == job->nchunks ? job->end : lo + job->chunk;
        size_t begin = c == 0 ? 0 : next_separator(&loop->s, lo, hi) + 1;
        if (begin > hi)
            continue;   /* no word starts here: an earlier chunk counts them */
        size_t end = hi == job->end ? hi : next_separator(&loop->s, hi, job->end) + 1;
        if (end > job->end)
            end = job->end;
        if (!scan_range(&loop->s, begin, end))
            return;
    }
}

static void run_loop(void *ctx, size_t k)
{
    tally_job *job = ctx;
    tally_loop loop = {job, job->base_scan};
    loop.s.t = &job->tables[k];
    if (!job->guarded) {
        count_chunks(&loop);
        return;
    }
    if (!wc_fault_guard_run(loop.s.text, loop.s.text_len * loop.s.width, count_chunks, &loop))
        atomic_store(&job->faulted, true);
}

bool wc_tally_text(wc_table *t, size_t threads, const void *text, size_t text_len,
                   unsigned width, size_t end, uint64_t base, bool guarded)
{
    if (end * width < WC_TALLY_PARALLEL_MIN_BYTES)
        threads = 1;
    if (threads > WC_POOL_MAX_WORKERS + 1)
        threads = WC_POOL_MAX_WORKERS + 1;
    tally_job job = {
        .base_scan = {.text = text, .text_len = text_len, .width = width, .base = base},
        .tables = t,
        .end = end,
        .chunk = CHUNK_BYTES / width,
        .guarded = guarded,
    };
    job.nchunks = end ? (end + job.chunk - 1) / job.chunk : 0;
    if (threads > job.nchunks)
        threads = job.nchunks ? job.nchunks : 1;
    atomic_init(&job.next_chunk, 0);
    atomic_init(&job.faulted, false);
    if (threads == 1)
        run_loop(&job, 0);
    else
        wc_pool_run(run_loop, &job, threads, threads);
    return !atomic_load(&job.faulted);
}

/* Where the text's last word begins, and its last unit. */
typedef struct {
    const unsigned char *text;
    size_t len;
    unsigned width;
    size_t last_word;
    uint32_t last_unit;
} text_end;

static void find_text_end(void *ctx)
{
    text_end *e = ctx;
    size_t i = e->len;
    while (i > 0 && !is_separator(unit_at(e->text, i - 1, e->width)))
        i--;
    e->last_word = i;
    e->last_unit = e->len ? unit_at(e->text, e->len - 1, e->width) : 0;
}

typedef struct {
    wc_table *t;
    const text_end *e;
} tail_task;

static void count_tail(void *ctx)
{
    tail_task *task = ctx;
    const text_end *e = task->e;
    wc_tally_tail(task->t, e->text, e->last_word, e->len, e->len > 0, e->last_unit, 0);
}

bool wc_tally_all(wc_table *t, size_t threads, const void *text, size_t len, unsigned width,
                  bool guarded)
{
    text_end e = {.text = text, .len = len, .width = width};
    tail_task tail = {&t[0], &e};
    if (!guarded) {
        find_text_end(&e);
        wc_tally_text(t, threads, text, len, width, e.last_word, 0, false);
        count_tail(&tail);
        return true;
    }
    return wc_fault_guard_run(text, len * width, find_text_end, &e)
        && wc_tally_text(t, threads, text, len, width, e.last_word, 0, true)
        && wc_fault_guard_run(text, len * width, count_tail, &tail);
}
