/* The word tables of tally.h: open addressing with linear probing over
 * 16-byte slots that hold a short word's key (or a long word's hash) beside
 * the entry's index, so a probe reads an entry only for a long word whose
 * hash matches, and growing rehashes the slots alone. Entries are appended,
 * so their order is first appearance.
 */
#define _GNU_SOURCE
#include "tally.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "pool.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif


/* ---- the hash ----------------------------------------------------------- */

/* 2^64 over the golden ratio, made odd: its multiples spread evenly over
 * 64 bits (the seed's fallback, a short word's hash, a long one's start). */
#define GOLDEN_RATIO_64 0x9e3779b97f4a7c15u

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
    seed_value = (uint64_t)now.tv_nsec * GOLDEN_RATIO_64 ^ (uint64_t)now.tv_sec
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

/* The first n <= 8 bytes of an 8-byte load, the others zeroed. A mask
 * looked up: made by shifts, it cost a test for n = 8 and five
 * instructions, at every word of a text. */
static inline uint64_t first_bytes(uint64_t x, size_t n)
{
    static const uint64_t keep[9] = {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        0x0000000000000000u, 0xff00000000000000u, 0xffff000000000000u,
        0xffffff0000000000u, 0xffffffff00000000u, 0xffffffffff000000u,
        0xffffffffffff0000u, 0xffffffffffffff00u, 0xffffffffffffffffu
#else
        0x0000000000000000u, 0x00000000000000ffu, 0x000000000000ffffu,
        0x0000000000ffffffu, 0x00000000ffffffffu, 0x000000ffffffffffu,
        0x0000ffffffffffffu, 0x00ffffffffffffffu, 0xffffffffffffffffu
#endif
    };
    return x & keep[n];
}

/* The word's first bytes, as wc_word.data holds a short word; reads 8 bytes
 * when `readable` (bytes from p that may be read) allows. */
static inline uint64_t load_head(const unsigned char *p, size_t n, size_t readable)
{
    uint64_t x = 0;
    if (readable >= 8) {
        memcpy(&x, p, 8);
        return first_bytes(x, n);
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

/* A short word's hash: its head, seeded, times GOLDEN_RATIO_64. A word's
 * slot is the product's top bits (bucket_of): each depends on every bit of
 * the head, and heads that differ in a few bytes spread as multiples of
 * the golden ratio do, evenly, whatever the seed. One multiply where a mix
 * took two multiplies and three shifts: the KJV x10 1.08-1.12x in every
 * form, 3 M distinct words 0.98-0.99x (A/B by turns, tally_timing.c). The
 * slot from the product's bits 32 and up would have ignored the head's top
 * bytes, and words alike but for them would have shared a slot whatever
 * the seed (tests/test_counts.py tries such words). Its tag is left out
 * (words of one head and two lengths, "a" and "a\0", share a slot's
 * neighbourhood, and the slot tells them apart): with it, a multiply and
 * two loads a word of a text. */
static inline uint64_t short_hash(uint64_t head, uint64_t seed)
{
    return (seed ^ head) * GOLDEN_RATIO_64;
}

/* Short words, the common case, cost one multiply. Longer ones chain a mix
 * per 8 bytes, the last 8 read overlapping. With the seed unknown, which
 * words share a slot cannot be foreseen. */
static inline uint64_t hash_words(const unsigned char *p, size_t n, uint64_t head, uint64_t seed)
{
    if (n <= 8)
        return short_hash(head, seed);
    uint64_t h = seed + (uint64_t)n * GOLDEN_RATIO_64;
    for (size_t i = 0; i + 8 < n; i += 8)
        h = mix(h ^ load8(p + i));
    return mix(h ^ load8(p + n - 8));
}

uint64_t wc_word_hash(const void *bytes, size_t nbytes, uint64_t seed)
{
    return hash_words(bytes, nbytes, load_head(bytes, nbytes, 0), seed);
}

/* ---- a word's key -------------------------------------------------------- */

/* A word is looked up by its key: a short word by its head (its bytes,
 * zero-padded, in 8 bytes) and its tag, a long one by its hash. In a 2- or
 * 4-byte table, a word of up to 8 units all below 256 (most words of most
 * texts) is keyed by those units narrowed to a byte each, as a 1-byte
 * table keys it: its slot decides it, where at full width every word of
 * over 4 units (2 in a 4-byte str) was long, hashed a mix per 8 bytes and
 * compared with its entry's bytes. So is a word of up to 8 units each on
 * page 0 or one other page of 256 code points (their bits from 8 up):
 * words of Cyrillic, Greek or Arabic letters, with the punctuation and
 * digits beside them, and those of Latin Extended-A (Polish, Czech,
 * Turkish); by the units' low bytes, which of them lie on the page, and
 * the page (in a 4-byte table pages below 0x7F: see units_key). Tags: a
 * short word of bytes or narrowed units, its length (0-8); of a page P,
 * the units on it << 12 | P << 4 | its length; a short word of other
 * wider units, WIDE_TAG | its bytes (their lengths differ from narrowed
 * ones, so one word has one key); else WC_LONG_WORD. */
#define WIDE_TAG 0x100000u

typedef struct {
    uint64_t head;          /* a short word's bytes (0 for a long word) */
    unsigned tag;
} word_key;

/* The tag of a word of `nbytes` bytes in a 1-byte table. */
static inline unsigned byte_word_tag(size_t nbytes)
{
    return nbytes <= 8 ? (unsigned)nbytes : WC_LONG_WORD;
}

/* The key of a word of up to 8 units whose pages (`pages`, a byte a unit)
 * are 0 or one other, P (in a 4-byte table below 0x7F: its units are
 * packed to 16 bits with signed saturation, 2^15 and up to 0x7FFF, whose
 * page is 0x7F): its units' low bytes, P XORed into those on P (so that
 * "01" and "\u0430\u0431" hash apart), and a tag of which units lie on P,
 * P and its length; else {0, WC_LONG_WORD}. */
static word_key paged_key(uint64_t low, uint64_t pages, size_t len, unsigned width)
{
    const uint64_t page = pages >> (__builtin_ctzll(pages) & ~7u) & 0xFF;
    /* bit 7 of each byte set where the unit's page is not 0 */
    const uint64_t off_zero = (((pages & 0x7F7F7F7F7F7F7F7Fu) + 0x7F7F7F7F7F7F7F7Fu) | pages)
                              & 0x8080808080808080u;
    const uint64_t on_page = (off_zero >> 7) * 0xFF, every_byte = page * 0x0101010101010101u;
    if (pages != (every_byte & on_page) || (width == 4 && page >= 0x7F))
        return (word_key){0, WC_LONG_WORD};
    /* (bit 8i to bit 56 + i: one bit a unit) */
    const unsigned units_on_page = (unsigned)((off_zero >> 7) * 0x0102040810204080u >> 56);
    return (word_key){first_bytes(low, len) ^ (every_byte & on_page),
                      units_on_page << 12 | (unsigned)page << 4 | (unsigned)len};
}

/* The key of p[0 .. len) (len <= 8 units of `width` > 1 bytes, 8 units
 * readable) when its units lie on page 0 (narrowed) or page 0 and one
 * other (paged_key); else {0, WC_LONG_WORD}. Narrowed words, the most, are
 * told first: one path for both, without that branch, took the KJV x10 as
 * a 4-byte str 1.08-1.12x its time, for 1.03-1.05x on Russian man pages
 * (A/B by turns, Sapphire Rapids). */
static inline word_key units_key(const unsigned char *p, size_t len, unsigned width)
{
#if defined(__SSE2__) && defined(__x86_64__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    if (width == 4)
        v = _mm_packs_epi32(v, _mm_loadu_si128((const __m128i *)(p + 16)));
    const __m128i low_bytes = _mm_and_si128(v, _mm_set1_epi16(0xFF));
    const uint64_t low = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(low_bytes, v));
    const uint64_t high = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(_mm_srli_epi16(v, 8), v));
#else
    uint64_t low = 0, high = 0;
    for (size_t i = 0; i < len; i++) {
        const uint32_t u = wc_load(p, i, width), page = u >> 8;
        low |= (uint64_t)(u & 0xFF) << 8 * i;
        /* (pages from 0x7F as the pack's saturation leaves them: never keyed) */
        high |= (uint64_t)(width == 4 && page > 0x7F ? 0x7F : page & 0xFF) << 8 * i;
    }
#endif
    const uint64_t pages = first_bytes(high, len);
    if (__builtin_expect(pages == 0, 1))
        return (word_key){first_bytes(low, len), (unsigned)len};
    return paged_key(low, pages, len, width);
}

static word_key units_key_copied(const unsigned char *p, size_t len, unsigned width)
{
    unsigned char units[32] = {0};
    memcpy(units, p, len * width);
    return units_key(units, len, width);
}

/* The key of the word p[0 .. len) of `width`-byte units; `readable`: bytes
 * from p that may be read (8 units are read when it allows). */
static inline __attribute__((always_inline)) word_key
key_of(const unsigned char *p, size_t len, unsigned width, size_t readable)
{
    const size_t nbytes = len * width;
    if (width > 1 && __builtin_expect(len <= 8, 1)) {
        const word_key k = readable >= 8 * width ? units_key(p, len, width)
                                                 : units_key_copied(p, len, width);
        if (__builtin_expect(k.tag != WC_LONG_WORD, 1))
            return k;
    }
    /* Expected short: laid out apart, the short case took three jumps a
     * word (2.4% of the instructions counting the KJV). */
    if (__builtin_expect(nbytes > 8, 0))
        return (word_key){0, WC_LONG_WORD};
    return (word_key){load_head(p, nbytes, readable),
                      width == 1 ? byte_word_tag(nbytes) : WIDE_TAG | (unsigned)nbytes};
}

static inline uint64_t key_hash(const unsigned char *p, size_t nbytes, word_key k, uint64_t seed)
{
    return k.tag == WC_LONG_WORD ? hash_words(p, nbytes, 0, seed) : short_hash(k.head, seed);
}

/* ---- the table ---------------------------------------------------------- */

#define INITIAL_SLOTS ((size_t)64)
#define HUGE_PAGE ((size_t)2 << 20)
#define MERGE_BATCH 16

void wc_table_init(wc_table *t, unsigned width)
{
    memset(t, 0, sizeof *t);
    t->width = width;
    t->seed = wc_hash_seed();
}

/* Segments past the first are mapped, not malloc'ed: malloc serves blocks
 * this size from its heap once one was freed, and a heap cut into freed
 * segments between live blocks is not given back. Mapped, each freed
 * segment is (3 M distinct words on 2 threads: the peak fell by 48 MB). */
#define SEGMENT_BYTES (WC_SEGMENT_WORDS * sizeof(wc_word))

/* `bytes` of zeroed pages of their own (munmap gives them back), or NULL. */
static void *map_pages(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The counts are malloc'ed up to a segment's worth, then mapped for the
 * same reason, and grown by mremap, which moves their pages and copies
 * nothing; a segment dropped gives its counts' pages back too. */
#define COUNTS_MAPPED WC_SEGMENT_WORDS

static bool counts_mapped(const wc_table *t)
{
    return t->counts_cap > COUNTS_MAPPED;
}

static void free_segment(wc_table *t, size_t s)
{
    if (s == 0)
        free(t->words[0]);
    else if (t->words[s])
        munmap(t->words[s], SEGMENT_BYTES);
    t->words[s] = NULL;
}

void wc_table_drop_segment(wc_table *t, size_t s)
{
    free_segment(t, s);
    /* A hint: pages larger than a segment's counts keep them. */
    if (counts_mapped(t))
        (void)madvise(t->counts + s * WC_SEGMENT_WORDS, WC_SEGMENT_WORDS * sizeof *t->counts,
                      MADV_DONTNEED);
}

void wc_table_free(wc_table *t)
{
    size_t used = (t->nwords + WC_SEGMENT_WORDS - 1) / WC_SEGMENT_WORDS;
    for (size_t s = 0; s < used; s++)
        free_segment(t, s);
    free(t->words);
    if (counts_mapped(t))
        munmap(t->counts, t->counts_cap * sizeof *t->counts);
    else
        free(t->counts);
    free(t->slots);
    free(t->arena);
    unsigned width = t->width;
    wc_table_init(t, width);
}

/* Room for segment 0 to hold one more entry: it doubles, from 16. */
static bool grow_first_segment(wc_table *t)
{
    size_t n = t->first_capacity ? 2 * t->first_capacity : 16;
    wc_word *words = realloc(t->words[0], n * sizeof *words);
    if (!words)
        return false;
    t->words[0] = words;
    t->first_capacity = n;
    return true;
}

/* Room for one more count: the array doubles, from 16. */
static bool grow_counts(wc_table *t)
{
    const size_t n = t->counts_cap ? 2 * t->counts_cap : 16, bytes = n * sizeof *t->counts;
    uint64_t *counts;
    if (n <= COUNTS_MAPPED) {
        counts = realloc(t->counts, bytes);
        if (!counts)
            return false;
    }
    else if (!counts_mapped(t)) {
        counts = map_pages(bytes);
        if (!counts)
            return false;
        memcpy(counts, t->counts, t->counts_cap * sizeof *counts);
        free(t->counts);
    }
    else {
        counts = mremap(t->counts, t->counts_cap * sizeof *counts, bytes, MREMAP_MAYMOVE);
        if (counts == MAP_FAILED)
            return false;
    }
    t->counts = counts;
    t->counts_cap = n;
    return true;
}

/* Room for one more entry; its index is t->nwords. A segment is mapped
 * last: a failure after it would leave it mapped and not counted. */
static wc_word *new_entry(wc_table *t)
{
    size_t s = t->nwords / WC_SEGMENT_WORDS, i = t->nwords % WC_SEGMENT_WORDS;
    if (t->nwords == t->counts_cap && !grow_counts(t))
        return NULL;
    if (s == t->nsegments) {
        size_t n = t->nsegments ? 2 * t->nsegments : 16;
        wc_word **words = realloc(t->words, n * sizeof *words);
        if (!words)
            return NULL;
        t->words = words;
        for (size_t k = t->nsegments; k < n; k++)
            t->words[k] = NULL;
        t->nsegments = n;
    }
    if (s == 0 && i == t->first_capacity && !grow_first_segment(t))
        return NULL;
    if (s > 0 && i == 0) {
        t->words[s] = map_pages(SEGMENT_BYTES);
        if (!t->words[s])
            return NULL;
    }
    return wc_table_word(t, t->nwords);
}

/* The shift that leaves a hash's top log2(nslots) bits, its slot's (nslots
 * a power of two). */
static inline unsigned slot_shift(size_t nslots)
{
    return 64 - (unsigned)__builtin_ctzll(nslots);
}

static inline size_t bucket_of(uint64_t hash, unsigned shift)
{
    return (size_t)(hash >> shift);
}

/* The hash of the word in slot `s`, to place it in a larger table: a long
 * word's slot holds it; a short word's is quicker made again than read
 * from memory. */
static inline uint64_t slot_hash(const wc_table *t, const wc_slot *s)
{
    return s->tag == WC_LONG_WORD ? s->head : short_hash(s->head, t->seed);
}

_Static_assert(sizeof(wc_slot) == 16, "four slots to a cache line");

/* The first empty slot from the bucket of `hash` on, where a word that is
 * not in the slots goes (half of them, at most, are taken). */
static inline size_t first_empty_slot(const wc_slot *slots, size_t nslots, uint64_t hash)
{
    size_t j = bucket_of(hash, slot_shift(nslots));
    while (slots[j].index)
        j = (j + 1) & (nslots - 1);
    return j;
}

/* Zeroed slots. Large arrays are aligned to 2 MB, so that where the
 * system's policy gives huge pages ("always") it can give them for the
 * whole array, but they are not asked for (MADV_HUGEPAGE): where the
 * policy is "madvise" (Debian's and Ubuntu's), each 2 MB page asked for
 * is found and zeroed as it is first touched, compacting memory if need
 * be. With the hint, 3 M distinct words ran 534 -> 330 ms in the tables on
 * Zen 1; on a Sapphire Rapids VM, though, a process's first `counts` of
 * them took 1.5-3.4 s against 1.3 s after (its first Tally.update 2.3-2.7
 * s against 0.30), and two threads 1.40-2.01 s from run to run. Without:
 * 1.37-1.41 s every call, two threads 1.41-1.51 s, Tally.update 0.37-0.39
 * s (warm, one thread 3-4% slower, Tally.update 1.2-1.3x). calloc in
 * place of the aligned memset: 1.04x slower. */
static wc_slot *new_slots(size_t n)
{
    size_t bytes = n * sizeof(wc_slot);
    if (bytes < HUGE_PAGE)
        return calloc(n, sizeof(wc_slot));
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
        return NULL;
    return memset(p, 0, bytes);
}

/* Slots double when half full: probes then stay short. `at_least`: the
 * size wanted (a merge knows how many words are coming), else 0. */
static bool grow_slots(wc_table *t, size_t at_least)
{
    size_t n = t->nslots ? 2 * t->nslots : INITIAL_SLOTS;
    while (n < at_least && n <= SIZE_MAX / 4)
        n *= 2;
    wc_slot *slots = new_slots(n);
    if (!slots)
        return false;
    for (size_t i = 0; i < t->nslots; i++) {
        const wc_slot *s = &t->slots[i];
        if (!s->index)
            continue;
        slots[first_empty_slot(slots, n, slot_hash(t, s))] = *s;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return true;
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

/* The slot of the entry of index + 1 `index`, of key `key` and hash `hash`. */
static inline wc_slot slot_of(word_key key, uint64_t hash, size_t index)
{
    return (wc_slot){
        .head = key.tag == WC_LONG_WORD ? hash : key.head,
        .index = (uint32_t)index,
        .tag = key.tag,
    };
}

/* The entry of a word the probe did not find, in the empty slot j (or the
 * one a growth moves it to). The text is read (copying a long word) before
 * anything changes, so that a SIGBUS in a mapped file leaves the table
 * whole. Out of line: most words are found. */
static __attribute__((noinline)) bool
insert_word(wc_table *t, size_t j, const unsigned char *p, size_t nbytes, size_t len,
            word_key key, uint64_t hash, uint64_t count, uint64_t first)
{
    /* A short word's units as they are (a long one's offset, below). */
    uint64_t data = nbytes <= 8 ? load_head(p, nbytes, 0) : 0;
    if (t->nwords + 1 > t->nslots / 2) {
        if (t->nwords >= UINT32_MAX - 1 || !grow_slots(t, 0)) {  /* 32-bit index */
            t->out_of_memory = true;
            return false;
        }
        j = first_empty_slot(t->slots, t->nslots, hash);
    }
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
    *w = (wc_word){.data = data, .len = len, .first = first};
    *wc_table_count(t, t->nwords) = count;
    t->nwords++;
    t->slots[j] = slot_of(key, hash, t->nwords);
    return true;
}

/* a[0 .. n) == b[0 .. n) for n > 8, inline: a call of memcmp per found long
 * word (in the wide forms most words are long) cost the KJV x10 9% of its
 * time as a 2-byte str and 4% as a 4-byte one (benchmarks/tally_timing.c). */
static inline bool long_words_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 < n; i += 8)
        if (load8(a + i) != load8(b + i))
            return false;
    return load8(a + n - 8) == load8(b + n - 8);
}

/* What a lookup reads of a table, read once for many lookups: a count is
 * written at each word, and may alias these (64 bits both), so the
 * compiler read them again at every word (held apart, with first_bytes'
 * one test: KJV x10 1.03-1.08x, A/B by turns). An insertion may move
 * them: it reads them again. */
typedef struct {
    const wc_slot *slots;
    size_t nslots;
    unsigned shift;             /* slot_shift(nslots) */
    uint64_t *counts;
    uint64_t seed;
} table_view;

static inline table_view view_of(const wc_table *t)
{
    return (table_view){t->slots, t->nslots, t->nslots ? slot_shift(t->nslots) : 0, t->counts,
                        t->seed};
}

/* Slots for a table that has none, made before its first lookup, so that
 * a lookup need not test for them (two tests a word of a text). */
static bool have_slots(wc_table *t)
{
    if (t->nslots || grow_slots(t, 0))
        return true;
    t->out_of_memory = true;
    return false;
}

/* The entry of the word of `len` units (nbytes bytes) at p, whose key and
 * hash are known, in a table that has slots (`v`, its view): its index + 1,
 * as a slot holds it; 0 when the table has no such word, and *empty the
 * slot it would take. */
static inline __attribute__((always_inline)) size_t
entry_of(const wc_table *t, const table_view *v, const unsigned char *p, size_t nbytes,
         size_t len, word_key key, uint64_t hash, size_t *empty)
{
    const size_t mask = v->nslots - 1;
    const wc_slot *slots = v->slots;
    size_t j = bucket_of(hash, v->shift);
    if (key.tag != WC_LONG_WORD) {
        for (; slots[j].index; j = (j + 1) & mask) {
            if (slots[j].head == key.head && slots[j].tag == key.tag)
                return slots[j].index;
        }
    }
    else {
        for (; slots[j].index; j = (j + 1) & mask) {
            if (slots[j].head != hash || slots[j].tag != WC_LONG_WORD)
                continue;
            const wc_word *w = wc_table_word(t, slots[j].index - 1);
            if (w->len == len && long_words_equal(t->arena + w->data, p, nbytes))
                return slots[j].index;
        }
    }
    *empty = j;
    return 0;
}

/* The count of the entry `index` + 1 (entry_of). */
static inline uint64_t *count_at(const table_view *v, size_t index)
{
    return &v->counts[index - 1];
}

/* Adds `count` to the word of `len` units (nbytes bytes) at p, whose key
 * and hash are known, in a table that has slots; `v` is the table's view,
 * brought up to date when the word is new. */
static inline __attribute__((always_inline)) bool
add_hashed(wc_table *t, table_view *v, const unsigned char *p, size_t nbytes, size_t len,
           word_key key, uint64_t hash, uint64_t count, uint64_t first)
{
    size_t j = 0;
    const size_t index = entry_of(t, v, p, nbytes, len, key, hash, &j);
    if (index) {
        *count_at(v, index) += count;
        return true;
    }
    const bool added = insert_word(t, j, p, nbytes, len, key, hash, count, first);
    *v = view_of(t);
    return added;
}

bool wc_table_add(wc_table *t, const void *units, size_t len, uint64_t count, uint64_t first)
{
    const size_t nbytes = len * t->width;
    const word_key key = key_of(units, len, t->width, 0);
    if (!have_slots(t))
        return false;
    table_view v = view_of(t);
    return add_hashed(t, &v, units, nbytes, len, key, key_hash(units, nbytes, key, t->seed),
                      count, first);
}

size_t wc_table_find(const wc_table *t, const void *units, size_t len)
{
    const size_t nbytes = len * t->width;
    const word_key key = key_of(units, len, t->width, 0);
    const uint64_t hash = key_hash(units, nbytes, key, t->seed);
    if (!t->nslots)
        return SIZE_MAX;
    const size_t mask = t->nslots - 1;
    for (size_t j = bucket_of(hash, slot_shift(t->nslots)); t->slots[j].index; j = (j + 1) & mask) {
        const wc_slot *s = &t->slots[j];
        if (key.tag != WC_LONG_WORD ? s->head == key.head && s->tag == key.tag
                                    : s->head == hash && s->tag == WC_LONG_WORD
                                      && wc_table_word(t, s->index - 1)->len == len
                                      && long_words_equal(t->arena + wc_table_word(t, s->index - 1)->data,
                                                          units, nbytes))
            return s->index - 1;
    }
    return SIZE_MAX;
}

/* The UTF-8 of code point c (a lone surrogate as its three bytes, as
 * Python's "surrogatepass" writes it) into out; its length. */
static size_t utf8_of(uint32_t c, unsigned char out[4])
{
    if (c < 0x80) {
        out[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (unsigned char)(0xC0 | c >> 6);
        out[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (unsigned char)(0xE0 | c >> 12);
        out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | c >> 18);
    out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* Whether every word of a 1-byte table is ASCII: its bytes are then their
 * own UTF-8. A short word's data is zero-padded; the arena holds the long
 * words' bytes and nothing else. */
static bool ascii_words(const wc_table *t)
{
    uint64_t high = 0;
    for (size_t i = 0; i < t->nwords; i++) {
        const wc_word *w = wc_table_word(t, i);
        high |= w->len <= 8 ? w->data : 0;
    }
    for (size_t i = 0; i < t->arena_len; i++)
        high |= t->arena[i];
    return (high & 0x8080808080808080u) == 0;
}

/* Every word placed again in zeroed slots, after their keys changed: the
 * words are distinct, so each takes the first empty slot it probes. */
static bool place_words_again(wc_table *t)
{
    size_t n = t->nslots ? t->nslots : INITIAL_SLOTS;
    while (n / 2 < t->nwords)
        n *= 2;
    if (n == t->nslots) {
        memset(t->slots, 0, n * sizeof *t->slots);
    }
    else {
        wc_slot *slots = new_slots(n);
        if (!slots)
            return false;
        free(t->slots);
        t->slots = slots;
        t->nslots = n;
    }
    /* In batches, as the merge: a batch's slots are fetched at once (3 M
     * distinct words of a 2-byte str, Tally.update: 637-674 -> 585-605 ms). */
    const unsigned shift = slot_shift(n);
    struct {
        word_key key;
        uint64_t hash;
    } batch[MERGE_BATCH];
    for (size_t start = 0; start < t->nwords; start += MERGE_BATCH) {
        const size_t b = t->nwords - start < MERGE_BATCH ? t->nwords - start : MERGE_BATCH;
        for (size_t k = 0; k < b; k++) {
            const wc_word *w = wc_table_word(t, start + k);
            const unsigned char *units = wc_table_units(t, w);
            batch[k].key = key_of(units, w->len, t->width, 0);
            batch[k].hash = key_hash(units, w->len * t->width, batch[k].key, t->seed);
            __builtin_prefetch(&t->slots[bucket_of(batch[k].hash, shift)]);
        }
        for (size_t k = 0; k < b; k++)
            t->slots[first_empty_slot(t->slots, n, batch[k].hash)] =
                slot_of(batch[k].key, batch[k].hash, start + k + 1);
    }
    return true;
}

/* In place: each entry's units become their UTF-8 bytes (long words in a
 * new arena), then the slots are made again; the counts, the order and
 * the entries' memory stay. 3 M distinct words (counts_goals.py), Tally
 * .update on Sapphire Rapids: a 2-byte str 2.0-2.6 s -> 0.51-0.57 s, where
 * each word was added to a new table; an ASCII one 1.0-4.0 s -> 0.30 s.
 * On failure the table is freed, and marked out of memory. */
bool wc_table_to_utf8(wc_table *t)
{
    if (t->out_of_memory)
        return false;
    if (t->width == 1 && ascii_words(t))    /* most texts: nothing to do */
        return true;
    unsigned char *units_arena = t->arena;
    t->arena = NULL;
    t->arena_len = t->arena_cap = 0;
    unsigned char stack[256], *buf = stack;
    size_t cap = sizeof stack;
    bool ok = true;
    for (size_t i = 0; ok && i < t->nwords; i++) {
        wc_word *w = wc_table_word(t, i);
        if (w->len * 4 > cap) {
            cap = w->len * 4;
            unsigned char *bigger = buf == stack ? malloc(cap) : realloc(buf, cap);
            if (!bigger) {
                ok = false;
                break;
            }
            buf = bigger;
        }
        const unsigned char *units = w->len * t->width <= 8 ? (const unsigned char *)&w->data
                                                            : units_arena + w->data;
        size_t n = 0;
        for (size_t k = 0; k < w->len; k++)
            n += utf8_of(wc_load(units, k, t->width), buf + n);
        if (n <= 8) {
            w->data = load_head(buf, n, 0);
        }
        else if ((ok = arena_reserve(t, n))) {
            memcpy(t->arena + t->arena_len, buf, n);
            w->data = t->arena_len;
            t->arena_len += n;
        }
        w->len = n;
    }
    if (buf != stack)
        free(buf);
    free(units_arena);
    t->width = 1;
    if (!(ok && place_words_again(t))) {
        wc_table_free(t);
        t->out_of_memory = true;
        return false;
    }
    return true;
}

/* ---- merging ------------------------------------------------------------ */

bool wc_table_merge(wc_table *into, wc_table *from, size_t n)
{
    /* Tables that saw no word (threads that found no chunk left) are left
     * out; one table alone into an empty one is moved. */
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        if (from[k].nwords || from[k].out_of_memory) {
            wc_table t = from[kept];
            from[kept++] = from[k];
            from[k] = t;
        }
    }
    for (size_t k = kept; k < n; k++)
        wc_table_free(&from[k]);
    n = kept;
    if (n == 0)
        return !into->out_of_memory;
    if (n == 1 && into->nwords == 0 && !into->slots) {
        wc_table_free(into);
        *into = from[0];
        wc_table_init(&from[0], into->width);
        return !into->out_of_memory;
    }
    /* A k-way merge on `first`: each table lists its words in the order it
     * first met them, and its pieces of the input come in order, so the
     * first time the merge meets a word is where it first occurs. */
    size_t next[WC_POOL_MAX_WORKERS + 1] = {0}, dropped[WC_POOL_MAX_WORKERS + 1] = {0};
    bool ok = true;
    size_t coming = into->nwords;
    for (size_t k = 0; k < n; k++) {
        free(from[k].slots);
        from[k].slots = NULL;
        ok = ok && !from[k].out_of_memory;
        coming += from[k].nwords;
    }
    /* Room for every word at once: growing as they come would place each
     * one again at every doubling. */
    if (ok && coming > into->nslots / 2 && !grow_slots(into, 2 * coming))
        ok = false;
    /* In batches, as scan_width looks words up: a batch's slots are fetched
     * at once (3 M distinct words on 2 threads, merge and all: 838 -> 391
     * ms; one thread takes 344). */
    struct {
        const wc_table *t;
        const wc_word *w;
        word_key key;
        uint64_t count, hash;
    } batch[MERGE_BATCH];
    while (ok) {
        size_t b = 0;
        for (; b < MERGE_BATCH; b++) {
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
            if (best == n)
                break;
            const wc_table *t = &from[best];
            const wc_word *w = wc_table_word(t, next[best]);
            size_t nbytes = w->len * t->width;
            const unsigned char *units = wc_table_units(t, w);
            batch[b].t = t;
            batch[b].w = w;
            batch[b].count = *wc_table_count(t, next[best]);
            batch[b].key = key_of(units, w->len, t->width, 0);
            batch[b].hash = key_hash(units, nbytes, batch[b].key, into->seed);
            __builtin_prefetch(&into->slots[bucket_of(batch[b].hash, slot_shift(into->nslots))]);
            next[best]++;
        }
        table_view view = view_of(into);
        for (size_t i = 0; ok && i < b; i++) {
            const wc_word *w = batch[i].w;
            size_t nbytes = w->len * into->width;
            ok = add_hashed(into, &view, wc_table_units(batch[i].t, w), nbytes, w->len,
                            batch[i].key, batch[i].hash, batch[i].count, w->first);
        }
        /* Free what every table has merged, a segment at a time. */
        for (size_t k = 0; k < n; k++)
            while (dropped[k] < next[k] / WC_SEGMENT_WORDS)
                wc_table_drop_segment(&from[k], dropped[k]++);
        if (b < MERGE_BATCH)
            break;
    }
    for (size_t k = 0; k < n; k++) {
        /* Segments already dropped are NULL, and left alone. */
        wc_table_free(&from[k]);
    }
    if (!ok)
        into->out_of_memory = true;
    return ok;
}

/* ---- finding the words -------------------------------------------------- */

static inline __attribute__((always_inline)) uint32_t unit_at(const unsigned char *text, size_t i, unsigned width)
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

bool wc_word_filter_passes(const wc_word_filter *f, const void *units, size_t len, unsigned width)
{
    /* (The empty word folds to itself alone: it never passes.) */
    if (len == 0 || len < f->min_len || len > f->max_len)
        return false;
    uint32_t first = wc_load(units, 0, width) & 0xFF, last = wc_load(units, len - 1, width) & 0xFF;
    return (f->first[first / 64] >> (first % 64) & 1) && (f->last[last / 64] >> (last % 64) & 1);
}

typedef struct {
    wc_table *t;
    const wc_word_finder *finder;
    const unsigned char *text;
    size_t text_len;        /* units */
    unsigned width;
    uint64_t base;          /* a word is first met at base + its start; the
                               words of a batch share it (a first place
                               stored for each word took the KJV x10
                               1.01-1.04x the time, Sapphire Rapids) */
} scan;

/* Words are looked up in batches: a batch's slots are fetched from memory
 * at once (prefetch), then each word is looked up. One at a time, each
 * lookup waited for its slot from L2 or L3 (the KJV's 30,000 words take a
 * megabyte of slots). */
#define BATCH 16

typedef struct {
    size_t n;
    table_view view;            /* of the scan's table */
    size_t start[BATCH + 64];
    size_t len[BATCH + 64];
    uint64_t head[BATCH + 64];      /* and tag: the word's key */
    uint64_t hash[BATCH + 64];
    uint32_t tag[BATCH + 64];       /* of a wide word (queued_key) */
} batch;

/* Queues the word [start, sep) ended by the separator at `sep`, less the
 * "\r" before it when `after_cr` (by sep=" ": the separators' crlf_ends);
 * by sep=None, no empty word. With a filter, only the words it lets by.
 * `far`: the word starts FAR_UNITS or more before the text's end (see
 * far_block). */
static inline __attribute__((always_inline)) void
queue_word(const scan *s, batch *b, size_t start, size_t sep, bool after_cr, bool lines,
           bool filtered, const bool far, const unsigned width)
{
    size_t len = sep - start;
    if (lines && after_cr && len)   /* (len 0: the "\r" ended the document before) */
        len--;
    if (!lines && len == 0)
        return;
    const unsigned char *p = s->text + start * width;
    if (filtered && !wc_word_filter_passes(s->finder->filter, p, len, width))
        return;
    const word_key key = key_of(p, len, width, far ? SIZE_MAX : (s->text_len - start) * width);
    const uint64_t hash = key_hash(p, len * width, key, b->view.seed);
    size_t i = b->n++;
    b->start[i] = start;
    b->len[i] = len;
    b->head[i] = key.head;
    if (width > 1)
        b->tag[i] = key.tag;
    b->hash[i] = hash;
    __builtin_prefetch(&b->view.slots[bucket_of(hash, b->view.shift)]);
}

/* The key of the batch's word i. A word of bytes has the tag its length
 * gives: storing it cost the KJV x10 3% (A/B by turns). */
static inline __attribute__((always_inline)) word_key
queued_key(const batch *b, size_t i, const unsigned width)
{
    return (word_key){b->head[i], width > 1 ? b->tag[i] : byte_word_tag(b->len[i])};
}

/* A word's key is read in one load of 8 units where 8 may be read from its
 * start. In a block of 64 units at i with FAR_UNITS units or more of text
 * from i on, every word the block's separators end may be (it starts at
 * i + 64 at the latest: the empty word after a separator there): testing
 * it per word cost 3 instructions of 118 (callgrind, tally_timing). */
#define FAR_UNITS (64 + 8)

static inline bool far_block(const scan *s, size_t i)
{
    return s->text_len - i >= FAR_UNITS;
}

static inline bool batch_init(const scan *s, batch *b)
{
    b->n = 0;
    if (!have_slots(s->t))
        return false;
    b->view = view_of(s->t);
    return true;
}

static inline __attribute__((always_inline)) bool
flush_batch(const scan *s, batch *b, const unsigned width)
{
    /* The words found are counted in a loop of their own, which calls
     * nothing: around insert_word's call the loop kept its index, the text
     * and the view on the stack (callgrind, tally_timing). */
    table_view view = b->view;
    for (size_t i = 0, n = b->n; i < n; i++) {
        size_t j = 0;
        for (; i < n; i++) {
            const size_t index = entry_of(s->t, &view, s->text + b->start[i] * width,
                                          b->len[i] * width, b->len[i], queued_key(b, i, width),
                                          b->hash[i], &j);
            if (!index)
                break;
            ++*count_at(&view, index);
        }
        if (i == n)
            break;
        if (!insert_word(s->t, j, s->text + b->start[i] * width, b->len[i] * width, b->len[i],
                         queued_key(b, i, width), b->hash[i], 1, s->base + b->start[i]))
            return false;
        view = view_of(s->t);
    }
    b->view = view;
    b->n = 0;
    return true;
}

/* ---- documents: texts one after another -------------------------------- */

/* The documents' ends are handed to the block loop as a mask beside the
 * separators', bit k of a block set where a nonempty document's last unit
 * is unit k: a document's end is then met as a separator is, with no test
 * at each separator and no branch taken at each end (a column of the KJV's
 * lines cost 20 ns a row over the joined text). The masks are made for a
 * window of blocks at a time, from the ends in order. */
#define END_WINDOW_BLOCKS 64

/* The words that a block's separators (sep, with crlf_ends) and documents'
 * ends (doc_ends) end, from `*start` on. At a unit u that ends a document:
 * if u is no separator, the word before it ends one unit on, as if a
 * separator followed u; if u is one, its word is queued as any separator's
 * and, by sep=" ", u a space, the document leaves the empty word after it
 * (not after "\n": a line's end). Each test of a word costs: the word
 * tables wait on memory, and a word's instructions decide how many words'
 * slots are fetched at once. So the lean loop, for a block in which no
 * document ends in a space and all of whose documents' words have one
 * `base`, tests nothing more than a single text's (scan_width: doc_ends 0);
 * `careful` blocks take the tests and the bases (bases[*doc]: that of the
 * document holding *start; *doc is kept only where the bases differ, and
 * there every block with an end is careful). */
static inline __attribute__((always_inline)) bool
queue_block(scan *s, batch *b, size_t i, uint64_t sep, uint64_t crlf, uint64_t doc_ends,
            size_t *start, const uint64_t *bases, size_t *doc, const bool careful,
            const bool far, const bool lines, const bool filtered, const unsigned width)
{
    const uint64_t ends_alone = doc_ends & ~sep, ends_at_sep = careful && lines
                                                                ? doc_ends & sep : 0;
    for (uint64_t events = sep | doc_ends; events; events &= events - 1) {
        const unsigned bit = (unsigned)__builtin_ctzll(events);
        const size_t u = i + bit;
        queue_word(s, b, *start, u + (ends_alone >> bit & 1), crlf >> bit & 1, lines, filtered,
                   far, width);
        *start = u + 1;
        if (!careful)
            continue;
        if (ends_at_sep >> bit & 1 && unit_at(s->text, u, width) != '\n') {
            if (b->n >= BATCH && !flush_batch(s, b, width))
                return false;
            queue_word(s, b, *start, *start, false, lines, filtered, far, width);
        }
        const uint64_t base = bases[*doc += doc_ends >> bit & 1];
        if (base != s->base) {   /* (a batch's words are all of s->base) */
            if (!flush_batch(s, b, width))
                return false;
            s->base = base;
        }
    }
    return true;
}

/* Does a document end at a space among the block's units at `ends_at_sep`
 * (by sep=" ", separators: spaces and "\n"s)? */
static inline bool ends_at_space(const scan *s, size_t i, uint64_t ends_at_sep,
                                 const unsigned width)
{
    for (; ends_at_sep; ends_at_sep &= ends_at_sep - 1)
        if (unit_at(s->text, i + (size_t)__builtin_ctzll(ends_at_sep), width) == ' ')
            return true;
    return false;
}

/* The separators of the blocks a scan reads, found by the backend's
 * function for the width SEPARATOR_BLOCKS blocks at a call by sep=None,
 * the call and its choice of the rule's loop made once for them: the KJV
 * x10 by sep=None, one thread, 1-byte 63.0-64.9 -> 55.2-58.2 ms, 2-byte
 * 1.12x, 4-byte 1.07x, Russian and German man pages 1.13x and 1.12x
 * (tally_timing.c, by turns, Sapphire Rapids); 8 or 16 blocks no better.
 * By sep=" " a block at a call, its separators returned in a register:
 * four at a call, through memory, cost `counts` of the KJV 1.07x its time
 * (16: the 4-byte form 1.1x). */
#define SEPARATOR_BLOCKS 4

typedef struct {
    uint64_t later[SEPARATOR_BLOCKS - 1], crlf[SEPARATOR_BLOCKS];
} separator_run;

/* The separators of the 64 units from i, those from `end` on left out
 * (*crlf as the backend gives them), for a scan whose blocks start at
 * `from`: found with those of the blocks after it where i starts a run. */
static inline __attribute__((always_inline)) uint64_t
block_separators(const scan *s, separator_run *run, size_t from, size_t i, size_t end,
                 const unsigned width, const bool lines, uint64_t *crlf)
{
    const size_t a_call = lines ? 1 : SEPARATOR_BLOCKS, k = (i - from) / 64 % a_call;
    uint64_t sep;
    if (k == 0) {
        const size_t blocks = (end - i + 63) / 64;
        sep = s->finder->backend->separators[width == 1 ? 0 : width == 2 ? 1 : 2](
            s->finder->rule, s->text, s->text_len, i, blocks < a_call ? blocks : a_call,
            run->later, run->crlf);
    }
    else {
        sep = run->later[k - 1];
    }
    *crlf = run->crlf[k];
    return end - i < 64 ? sep & ~(~(uint64_t)0 << (end - i)) : sep;
}

/* queue_block's lean loop for a block that is not careful: the far one
 * where every word's key may be read in one load (far_block), and of those,
 * by sep=" ", the one with no CRLF line end, which tests no word for one
 * (KJV x10, one thread, tally_timing.c by turns: 1-byte 1.04x, 2-byte
 * 1.03x, 4-byte 1.04x, Sapphire Rapids). */
static inline __attribute__((always_inline)) bool
queue_lean_block(scan *s, batch *b, size_t i, uint64_t sep, uint64_t crlf, uint64_t doc_ends,
                 size_t *start, const uint64_t *bases, size_t *doc, const bool lines,
                 const bool filtered, const unsigned width)
{
#define LEAN_BLOCK(crlf, far)                                                                   \
    queue_block(s, b, i, sep, crlf, doc_ends, start, bases, doc, false, far, lines, filtered,    \
                width)
    if (!far_block(s, i))
        return LEAN_BLOCK(crlf, false);
    return lines && crlf ? LEAN_BLOCK(crlf, true) : LEAN_BLOCK(0, true);
#undef LEAN_BLOCK
}

/* The words ended by the separators in [begin, end); begin is 0 or follows a
 * separator. The backend finds the separators of 64 units at a time: one
 * mispredicted loop exit per 64 units rather than per 16 (KJV: 13 words,
 * not 3); their words are queued as a run's (queue_block) in a block of
 * no document's end, and the batch looked up when full. Inlined for each
 * width and kind of rule, constants there. */
static inline __attribute__((always_inline)) bool
scan_width(const scan *range, size_t begin, size_t end, const unsigned width, const bool lines,
           const bool filtered)
{
    scan s = *range;
    size_t start = begin;
    batch b;
    separator_run seps;
    if (!batch_init(&s, &b))
        return false;
    for (size_t i = begin; i < end; i += 64) {
        uint64_t crlf;
        const uint64_t sep = block_separators(&s, &seps, begin, i, end, width, lines, &crlf);
        queue_lean_block(&s, &b, i, sep, crlf, 0, &start, NULL, NULL, lines, filtered, width);
        if (b.n >= BATCH && !flush_batch(&s, &b, width))
            return false;
    }
    return flush_batch(&s, &b, width);
}

static bool scan_range(const scan *s, size_t begin, size_t end)
{
    const bool lines = s->finder->rule->split == WC_LINES, filtered = s->finder->filter;
#define SCAN_WIDTHS(lines, filtered)                                                        \
    switch (s->width) {                                                                     \
    case 1: return scan_width(s, begin, end, 1, lines, filtered);                           \
    case 2: return scan_width(s, begin, end, 2, lines, filtered);                           \
    default: return scan_width(s, begin, end, 4, lines, filtered);                          \
    }
    if (filtered)
        SCAN_WIDTHS(lines, true)
    if (lines)
        SCAN_WIDTHS(true, false)
    SCAN_WIDTHS(false, false)
#undef SCAN_WIDTHS
}

/* The words of `n` nonempty documents lying one after another in s->text
 * (whose length is the last one's end): document k is [ends[k-1], ends[k])
 * and its words are first met at bases[k] + their unit in the text (an
 * empty document has no words: runs leave them out). `one_base`: every
 * bases[k] the same, as a column's values and Tally.update_all's texts of
 * one width have them. bases[n] is read after the last end. */
static inline __attribute__((always_inline)) bool
scan_run_width(const scan *run, const size_t *ends, const uint64_t *bases, size_t n,
               bool one_base, const unsigned width, const bool lines, const bool filtered)
{
    const size_t len = run->text_len;
    scan s = *run;
    size_t start = 0, next_end = 0, doc = 0;
    s.base = bases[0];
    batch b;
    separator_run seps;
    if (!batch_init(&s, &b))
        return false;
    uint64_t end_masks[END_WINDOW_BLOCKS];
    for (size_t i = 0; i < len; i += 64) {
        const size_t block = i / 64 % END_WINDOW_BLOCKS;
        if (block == 0) {
            const size_t window_end = i + 64 * END_WINDOW_BLOCKS;
            memset(end_masks, 0, sizeof end_masks);
            for (; next_end < n && ends[next_end] - 1 < window_end; next_end++) {
                const size_t u = ends[next_end] - 1 - i;
                end_masks[u / 64] |= (uint64_t)1 << (u % 64);
            }
        }
        uint64_t crlf;
        const uint64_t sep = block_separators(&s, &seps, 0, i, len, width, lines, &crlf);
        const uint64_t doc_ends = end_masks[block];
        const bool careful = doc_ends && (!one_base
                                          || (lines && ends_at_space(&s, i, doc_ends & sep,
                                                                     width)));
        /* Careful blocks, the rare ones, test every word's end of text. */
        if (!(careful ? queue_block(&s, &b, i, sep, crlf, doc_ends, &start, bases, &doc, true,
                                    false, lines, filtered, width)
              : queue_lean_block(&s, &b, i, sep, crlf, doc_ends, &start, bases, &doc, lines,
                                 filtered, width)))
            return false;
        if (b.n >= BATCH && !flush_batch(&s, &b, width))
            return false;
    }
    return flush_batch(&s, &b, width);
}

static bool scan_run(const scan *s, const size_t *ends, const uint64_t *bases, size_t n,
                     bool one_base)
{
    const bool lines = s->finder->rule->split == WC_LINES, filtered = s->finder->filter;
#define SCAN_RUN_WIDTHS(lines, filtered)                                                    \
    switch (s->width) {                                                                     \
    case 1: return scan_run_width(s, ends, bases, n, one_base, 1, lines, filtered);                  \
    case 2: return scan_run_width(s, ends, bases, n, one_base, 2, lines, filtered);                  \
    default: return scan_run_width(s, ends, bases, n, one_base, 4, lines, filtered);                 \
    }
    if (filtered)
        SCAN_RUN_WIDTHS(lines, true)
    if (lines)
        SCAN_RUN_WIDTHS(true, false)
    SCAN_RUN_WIDTHS(false, false)
#undef SCAN_RUN_WIDTHS
}

/* Documents gathered into runs: those that lie one after another where
 * they are (a column's values), or else copied one after another into a
 * scratch buffer, so that short texts are scanned as one. */
#define RUN_DOCUMENTS 4096
#define RUN_SCRATCH_BYTES ((size_t)64 << 10)

struct wc_run {
    wc_table *t;
    const wc_word_finder *finder;
    unsigned width;
    bool stays;                 /* documents stay where they are until flushed */
    const unsigned char *text;  /* the run: in place, or `scratch` */
    size_t len;                 /* units */
    bool copied;
    size_t n;                   /* nonempty documents */
    size_t ends[RUN_DOCUMENTS];
    uint64_t bases[RUN_DOCUMENTS + 1];  /* first met at bases[k] + unit */
    bool one_base;
    unsigned char scratch[RUN_SCRATCH_BYTES];
};

wc_run *wc_run_new(wc_table *t, const wc_word_finder *f, unsigned width, bool stays)
{
    wc_run *run = malloc(sizeof *run);
    if (run) {
        run->t = t;
        run->finder = f;
        run->width = width;
        run->stays = stays;
        run->n = 0;
    }
    return run;
}

bool wc_run_flush(wc_run *run)
{
    if (run->n == 0)
        return true;
    const scan s = {.t = run->t, .finder = run->finder, .text = run->text,
                    .text_len = run->len, .width = run->width};
    run->bases[run->n] = run->bases[run->n - 1];
    bool ok = scan_run(&s, run->ends, run->bases, run->n, run->one_base);
    run->n = 0;
    return ok && !run->t->out_of_memory;
}

/* Notes the base of a nonempty document joining the run (its first place
 * less its start in the run): do all the run's documents share one? */
static inline void run_base(wc_run *run, uint64_t base)
{
    run->one_base = run->n == 0 || (run->one_base && base == run->bases[0]);
}

bool wc_run_add(wc_run *run, const void *text, size_t len, uint64_t first)
{
    if (len == 0)
        return true;    /* no words */
    const size_t w = run->width, nbytes = len * w;
    const unsigned char *at = text;
    bool in_place = run->n > 0 && !run->copied && at == run->text + run->len * w;
    if (run->n == RUN_DOCUMENTS
        || (!in_place && run->n > 0 && run->len * w + nbytes > RUN_SCRATCH_BYTES)) {
        if (!wc_run_flush(run))
            return false;
        in_place = false;
    }
    if (run->n == 0) {
        if (!run->stays && nbytes > RUN_SCRATCH_BYTES)    /* too long to copy */
            return wc_tally_document(run->t, run->finder, text, len, w, first);
        run->text = run->stays ? at : run->scratch;
        run->len = 0;
        run->copied = !run->stays;
        in_place = run->stays;
    }
    if (!in_place) {
        if (!run->copied) {     /* the run so far lies in place: copied first */
            memcpy(run->scratch, run->text, run->len * w);
            run->text = run->scratch;
            run->copied = true;
        }
        memcpy(run->scratch + run->len * w, at, nbytes);
    }
    const uint64_t base = first - run->len;
    run_base(run, base);
    run->bases[run->n] = base;
    run->len += len;
    run->ends[run->n++] = run->len;
    return true;
}

/* Adds n documents lying one after another from `text`, document k ending
 * at ends[k] units from it, to a run whose documents stay: as n calls of
 * wc_run_add (n <= RUN_DOCUMENTS), document k first met at `first` +
 * ends[k-1], so all with one base. */
static bool run_add_stretch(wc_run *run, const void *text, const size_t *ends, size_t n,
                            uint64_t first)
{
    const unsigned char *at = text;
    if (run->n > 0 && (run->copied || run->n + n > RUN_DOCUMENTS
                       || at != run->text + run->len * run->width)
        && !wc_run_flush(run))
        return false;
    if (run->n == 0) {
        run->text = at;
        run->len = 0;
        run->copied = false;
    }
    const uint64_t base = first - run->len;
    if (ends[n - 1] == 0)
        return true;    /* empty documents: no words */
    run_base(run, base);
    size_t m = run->n;
    for (size_t k = 0, end = 0; k < n; end = ends[k++]) {  /* the empty ones left out */
        run->ends[m] = run->len + ends[k];
        run->bases[m] = base;
        m += ends[k] != end;
    }
    run->n = m;
    run->len += ends[n - 1];
    return true;
}

void wc_run_free(wc_run *run)
{
    free(run);
}

/* The first separator in [from, to), or `to`. */
static size_t next_separator(const scan *s, size_t from, size_t to)
{
    while (from < to
           && !wc_separator_at(s->finder->rule, s->text, s->text_len, from, s->width))
        from++;
    return from;
}

bool wc_tally_tail(wc_table *t, const wc_word_finder *f, const void *text, size_t begin,
                   size_t text_len, bool nonempty, uint32_t last_unit, uint64_t base)
{
    if (f->rule->split == WC_LINES ? !nonempty || last_unit == '\n' : begin == text_len)
        return true;    /* no line after a final "\n", none in an empty input; by
                           sep=None no word after the last whitespace */
    const void *units = (const unsigned char *)text + begin * t->width;
    if (f->filter && !wc_word_filter_passes(f->filter, units, text_len - begin, t->width))
        return true;
    return wc_table_add(t, units, text_len - begin, 1, base + begin);
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

bool wc_tally_text(wc_table *t, size_t threads, const wc_word_finder *f, const void *text,
                   size_t text_len, unsigned width, size_t end, uint64_t base, bool guarded,
                   size_t chunk_bytes)
{
    if (!chunk_bytes && end * width < WC_TALLY_PARALLEL_MIN_BYTES)
        threads = 1;
    if (threads > WC_POOL_MAX_WORKERS + 1)
        threads = WC_POOL_MAX_WORKERS + 1;
    tally_job job = {
        .base_scan = {.finder = f, .text = text, .text_len = text_len, .width = width,
                      .base = base},
        .tables = t,
        .end = end,
        .chunk = chunk_bytes ? (chunk_bytes + width - 1) / width : CHUNK_BYTES / width,
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

/* The last separator of text[0 .. len), plus one; 0 if it holds none. */
static size_t after_last_separator(const wc_rule *rule, const unsigned char *text, size_t len,
                                   unsigned width)
{
    size_t i = len;
    while (i > 0 && !wc_separator_at(rule, text, len, i - 1, width))
        i--;
    return i;
}

bool wc_tally_document(wc_table *t, const wc_word_finder *f, const void *text, size_t len,
                       unsigned width, uint64_t base)
{
    const scan s = {.t = t, .finder = f, .text = text, .text_len = len, .width = width};
    const uint64_t bases[2] = {base, base};
    return scan_run(&s, &len, bases, len > 0, true) && !t->out_of_memory;
}

/* Documents in tasks of WC_DOCUMENTS_PER_TASK: each task's words are first
 * met at (task << 40) + their unit in the task's documents, so that a merge
 * on `first` meets them in the documents' order whichever thread took the
 * task. */
#define TASK_SHIFT 40

/* The most documents a stretch (wc_documents) hands over at once. */
#define STRETCH_DOCUMENTS 256

typedef struct {
    wc_table *tables;
    const wc_word_finder *finder;
    const wc_documents *documents;
    size_t ntasks;
    atomic_size_t next_task;
} documents_job;

static void count_documents(void *ctx, size_t k)
{
    documents_job *job = ctx;
    wc_table *t = &job->tables[k];
    const wc_documents *d = job->documents;
    wc_run *run = wc_run_new(t, job->finder, d->width, true);
    if (!run) {
        t->out_of_memory = true;
        return;
    }
    for (;;) {
        size_t task = atomic_fetch_add(&job->next_task, 1);
        if (task >= job->ntasks || t->out_of_memory)
            break;
        uint64_t at = (uint64_t)task << TASK_SHIFT;
        const size_t last = (task + 1) * WC_DOCUMENTS_PER_TASK < d->count
            ? (task + 1) * WC_DOCUMENTS_PER_TASK : d->count;
        for (size_t i = task * WC_DOCUMENTS_PER_TASK; i < last;) {
            const void *text;
            size_t ends[STRETCH_DOCUMENTS];
            const size_t n = d->stretch ? d->stretch(d->ctx, i, last - i > STRETCH_DOCUMENTS
                                                                ? i + STRETCH_DOCUMENTS : last,
                                                     &text, ends)
                                        : 0;
            if (n) {
                if (!run_add_stretch(run, text, ends, n, at))
                    break;
                at += ends[n - 1];
                i += n;
                continue;
            }
            size_t len;
            if (!d->get(d->ctx, i++, &text, &len))
                continue;   /* a null: no text */
            if (!wc_run_add(run, text, len, at))
                break;
            at += len;
        }
        if (!wc_run_flush(run))
            break;
    }
    wc_run_free(run);
}

void wc_tally_documents(wc_table *t, size_t threads, const wc_word_finder *f,
                        const wc_documents *d)
{
    documents_job job = {.tables = t, .finder = f, .documents = d,
                         .ntasks = (d->count + WC_DOCUMENTS_PER_TASK - 1) / WC_DOCUMENTS_PER_TASK};
    atomic_init(&job.next_task, 0);
    if (threads > WC_POOL_MAX_WORKERS + 1)
        threads = WC_POOL_MAX_WORKERS + 1;
    if (threads > job.ntasks)
        threads = job.ntasks ? job.ntasks : 1;
    if (threads == 1)
        count_documents(&job, 0);
    else
        wc_pool_run(count_documents, &job, threads, threads);
}

/* Where the text's last word begins, and its last unit. */
typedef struct {
    const wc_word_finder *finder;
    const unsigned char *text;
    size_t len;
    unsigned width;
    size_t last_word;
    uint32_t last_unit;
} text_end;

static void find_text_end(void *ctx)
{
    text_end *e = ctx;
    e->last_word = after_last_separator(e->finder->rule, e->text, e->len, e->width);
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
    wc_tally_tail(task->t, e->finder, e->text, e->last_word, e->len, e->len > 0, e->last_unit,
                  0);
}

bool wc_tally_all(wc_table *t, size_t threads, const wc_word_finder *f, const void *text,
                  size_t len, unsigned width, bool guarded, size_t chunk_bytes)
{
    text_end e = {.finder = f, .text = text, .len = len, .width = width};
    tail_task tail = {&t[0], &e};
    if (!guarded) {
        find_text_end(&e);
        wc_tally_text(t, threads, f, text, len, width, e.last_word, 0, false, chunk_bytes);
        count_tail(&tail);
        return true;
    }
    return wc_fault_guard_run(text, len * width, find_text_end, &e)
        && wc_tally_text(t, threads, f, text, len, width, e.last_word, 0, true, chunk_bytes)
        && wc_fault_guard_run(text, len * width, count_tail, &tail);
}
