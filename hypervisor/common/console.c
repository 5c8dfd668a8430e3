/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console and log ring.
 *
 * Every log line is formatted once into a line buffer, appended to a ring of
 * the last LOG_RING_SIZE bytes (kept whatever loglvl= says, so the 'l' debug
 * key can replay messages that were filtered out), and written to the serial
 * port when its level passes the threshold. Output is polled: a panic with
 * interrupts off still prints.
 */
#include <stdarg.h>
#include <hv/console.h>
#include <hv/console_ring.h>
#include <hv/lib.h>
#include <asm/serial.h>
#include <hv/spinlock.h>
#include <asm/time.h>
#include <asm/x86.h>
#include <asm/irqflags.h>

#define LOG_RING_SIZE CONSOLE_RING_SIZE
#define LINE_MAX_LEN  512

static char log_ring[LOG_RING_SIZE];
static size_t log_ring_head; /* total bytes ever written; index = head % size */
/* Xen's conringc: the oldest byte a read without an index returns (free-running, 32 bits,
 * like (uint32_t)log_ring_head, Xen's conringp); moved on by overwriting and by clears. */
static uint32_t log_ring_cons;
/* console_lock: the serial port's output (so lines do not interleave) and the log ring
 * (log_ring, log_ring_head). Interrupts off: anything may print. */
static spinlock_t console_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_CONSOLE);
static enum log_level log_threshold = LOG_INFO;
static int serial_enabled = 1;

static int contains_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        if (!strncmp(p, word, n) && (p[n] == '\0' || p[n] == ','))
            return 1;
        const char *comma = strchr(p, ',');
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

void console_init(void)
{
    serial_init(COM1_PORT, 115200);
}

void console_configure(const char *console_opt, const char *loglvl_opt)
{
    static const struct {
        const char *name;
        enum log_level lvl;
    } levels[] = {
        {"none", LOG_ERR},  {"error", LOG_ERR},   {"warning", LOG_WARN},
        {"info", LOG_INFO}, {"debug", LOG_DEBUG}, {"all", LOG_DEBUG},
    };

    if (console_opt && console_opt[0] && !contains_word(console_opt, "com1"))
        serial_enabled = 0; /* console=vga or console=none: no serial output */
    if (loglvl_opt && loglvl_opt[0]) {
        /* Xen spells it loglvl=<level>[/<rate-limited level>]; only the first part matters. */
        for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
            size_t n = strlen(levels[i].name);
            if (!strncmp(loglvl_opt, levels[i].name, n) &&
                (loglvl_opt[n] == '\0' || loglvl_opt[n] == '/'))
                log_threshold = levels[i].lvl;
        }
    }
}

static void ring_append(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        log_ring[(log_ring_head + i) % LOG_RING_SIZE] = s[i];
    log_ring_head += n;
    if ((uint32_t)log_ring_head - log_ring_cons > LOG_RING_SIZE)
        log_ring_cons = (uint32_t)log_ring_head - LOG_RING_SIZE;
}

static void serial_write(const char *s, size_t n)
{
    if (!serial_enabled)
        return;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

void console_write(const char *s, size_t n)
{
    unsigned long flags = local_irq_save();
    spin_lock(&console_lock);
    serial_write(s, n);
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}

static void emit_line(enum log_level lvl, const char *prefix, const char *body, size_t n)
{
    char line[LINE_MAX_LEN + 64];
    uint64_t ns = time_now_ns();
    int len =
        fmt_snprintf(line, sizeof(line), "(LAM) [%4lu.%06lu] %s", (unsigned long)(ns / 1000000000),
                     (unsigned long)(ns / 1000 % 1000000), prefix);
    size_t hdr = (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
    size_t body_len = MIN(n, sizeof(line) - hdr - 1);

    memcpy(line + hdr, body, body_len);
    size_t total = hdr + body_len;
    if (total == 0 || line[total - 1] != '\n')
        line[total++] = '\n';

    unsigned long flags = local_irq_save();
    spin_lock(&console_lock);
    ring_append(line, total);
    if (lvl <= log_threshold)
        serial_write(line, total);
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
    static const char *const tags[] = {"ERROR: ", "WARN: ", "", ""};
    char body[LINE_MAX_LEN];
    va_list ap;

    va_start(ap, fmt);
    int n = fmt_vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    emit_line(lvl, tags[lvl], body, MIN((size_t)n, sizeof(body) - 1));
}

/*
 * dom0's console is the machine's console and dom0 is trusted: its bytes go to the serial
 * line at once and as they are (control characters, escape sequences, a prompt without a
 * newline), as on Xen. Like Xen without console_to_ring, they are not kept in the log
 * ring, which holds the hypervisor's own messages (and the domUs' debug lines).
 */
static void dom0_write(const char *s, size_t n)
{
    unsigned long flags = local_irq_save();
    spin_lock(&console_lock);
    serial_write(s, n);
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}

/*
 * Any other domain's debug output arrives in arbitrary chunks; each domain gets a line
 * buffer so lines are printed whole with a "(dN) " tag, and what is not printable
 * becomes '?': guests do not get to send terminal escapes to the operator.
 */
#define GUEST_LINE_DOMAINS 8
static struct {
    char buf[LINE_MAX_LEN];
    size_t len;
} guest_lines[GUEST_LINE_DOMAINS];
/* guest_line_lock: guest_lines[], the partial lines of the guests' console output. */
static spinlock_t guest_line_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_GUEST_LINE);

void console_guest_write(unsigned int domid, const char *s, size_t n)
{
    if (domid == 0) {
        dom0_write(s, n);
        return;
    }
    char prefix[16];
    unsigned int slot = domid % GUEST_LINE_DOMAINS;

    fmt_snprintf(prefix, sizeof(prefix), "(d%u) ", domid);
    spin_lock(&guest_line_lock);
    for (size_t i = 0; i < n; i++) {
        char c = console_filter_char(s[i]);
        if (c == '\0')
            continue;
        if (c != '\n')
            guest_lines[slot].buf[guest_lines[slot].len++] = c;
        if (c == '\n' || guest_lines[slot].len == LINE_MAX_LEN - 1) {
            emit_line(LOG_INFO, prefix, guest_lines[slot].buf, guest_lines[slot].len);
            guest_lines[slot].len = 0;
        }
    }
    spin_unlock(&guest_line_lock);
}

void console_ring_indices(uint32_t *cons, uint32_t *prod)
{
    unsigned long flags = local_irq_save();
    spin_lock(&console_lock);
    *cons = log_ring_cons;
    *prod = (uint32_t)log_ring_head;
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}

void console_ring_copy(uint32_t from, char *buf, size_t len)
{
    unsigned long flags = local_irq_save();
    spin_lock(&console_lock);
    for (size_t i = 0; i < len; i++)
        buf[i] = log_ring[(from + i) % LOG_RING_SIZE];
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}

void console_ring_clear(uint32_t stopped_at)
{
    unsigned long flags = local_irq_save();
    spin_lock(&console_lock);
    log_ring_cons = console_ring_cleared(stopped_at, (uint32_t)log_ring_head, LOG_RING_SIZE);
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}

int console_getc(void)
{
    return serial_getc();
}
