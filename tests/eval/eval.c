/* make eval: spoofwatch's verdicts over the development corpus (../shared/corpus/dev).
 *
 * Reads labels.tsv for each file's class (phish or ham) and whether the receiver's own
 * headers show a DMARC or compauth failure (spoofed_by_auth), runs the same readers,
 * record builder and detector as `scan`, and prints per class the counts by verdict, the
 * false-positive rate on ham, the detection rate on phishing with an authentication
 * failure, and every miss and false positive with its signals.
 * usage: eval [--config FILE] [--only phish|ham] CORPUS_DIR */
#include "spoofwatch/batch.h"
#include "spoofwatch/config.h"
#include "spoofwatch/detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 10000

typedef struct label {
    char file[256];
    int phish;
    int spoofed_by_auth;
} label;

typedef struct eval {
    label labels[MAX_FILES];
    int nlabels;
    const char *root;
    sw_detector det;
    int counts[2][4]; /* [phish][verdict] */
    int auth_fail_total, auth_fail_flagged;
    char misses[2000][512];
    int nmisses;
    char fps[2000][512];
    int nfps;
} eval;

static eval E;

static const label *find_label(const char *path)
{
    size_t rl = strlen(E.root);
    const char *rel = strncmp(path, E.root, rl) ? path : path + rl + (path[rl] == '/');
    for (int i = 0; i < E.nlabels; i++)
        if (!strcmp(E.labels[i].file, rel))
            return &E.labels[i];
    return NULL;
}

static void describe(char *out, size_t n, const sw_record *rec, const sw_assessment *as)
{
    int o = snprintf(out, n, "%s: %s score %d [", rec->source.path, sw_verdict_name(as->verdict),
                     as->score);
    for (size_t i = 0; i < as->nsignals && o > 0 && (size_t)o < n; i++)
        o += snprintf(out + o, n - (size_t)o, "%s%s%s(%d)", i ? " " : "", as->signals[i].id,
                      as->signals[i].suppressed_by ? "-suppressed" : "", as->signals[i].weight);
    if (o > 0 && (size_t)o < n)
        snprintf(out + o, n - (size_t)o, "]");
}

static int on_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    (void)ctx;
    const label *l = find_label(rec->source.path);
    if (!l)
        return 0;
    sw_assessment as;
    sw_detect(&E.det, a, rec, &as);
    E.counts[l->phish][as.verdict]++;
    int flagged = as.verdict == SW_VERDICT_SPOOFED || as.verdict == SW_VERDICT_SUSPICIOUS;
    if (l->phish && l->spoofed_by_auth) {
        E.auth_fail_total++;
        if (flagged)
            E.auth_fail_flagged++;
        else if (E.nmisses < 2000)
            describe(E.misses[E.nmisses++], 512, rec, &as);
    }
    if (!l->phish && flagged && E.nfps < 2000)
        describe(E.fps[E.nfps++], 512, rec, &as);
    return 0;
}

static int load_labels(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    int header = 1;
    while (fgets(line, sizeof line, f) && E.nlabels < MAX_FILES) {
        if (header) {
            header = 0;
            continue;
        }
        char *cols[32];
        int nc = 0;
        char *p = line;
        while (nc < 32) {
            cols[nc++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = '\0';
            p = t + 1;
        }
        if (nc < 20)
            continue;
        label *l = &E.labels[E.nlabels++];
        snprintf(l->file, sizeof l->file, "%s", cols[0]);
        l->phish = !strcmp(cols[1], "phish");
        l->spoofed_by_auth = !strncmp(cols[19], "yes", 3);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *only = NULL;
    int i = 1;
    while (i + 1 < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--config"))
            config_path = argv[i + 1];
        else if (!strcmp(argv[i], "--only"))
            only = argv[i + 1];
        else
            break;
        i += 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: eval [--config FILE] [--only phish|ham] CORPUS_DIR\n");
        return 2;
    }
    E.root = argv[i];
    char path[4096];
    snprintf(path, sizeof path, "%s/labels.tsv", E.root);
    if (load_labels(path)) {
        printf("eval: skipped: shared data absent (%s)\n", path);
        return 0;
    }
    sw_config cfg;
    sw_config_defaults(&cfg);
    sw_error err;
    if (config_path && sw_config_load(&cfg, config_path, NULL, NULL, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    if (sw_detector_init(&E.det, &cfg, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    sw_batch b = {.format = SW_FMT_AUTO, .progress = 0, .on_record = on_record};
    char phish[4096], ham[4096];
    snprintf(phish, sizeof phish, "%s/phish", E.root);
    snprintf(ham, sizeof ham, "%s/ham", E.root);
    char *paths[2];
    int npaths = 0;
    if (!only || !strcmp(only, "phish"))
        paths[npaths++] = phish;
    if (!only || !strcmp(only, "ham"))
        paths[npaths++] = ham;
    sw_batch_run(&b, paths, npaths);

    static const char *const names[] = {"unknown", "pass", "suspicious", "spoofed"};
    for (int c = 1; c >= 0; c--) {
        if (only && strcmp(only, c ? "phish" : "ham"))
            continue;
        int total = 0;
        for (int v = 0; v < 4; v++)
            total += E.counts[c][v];
        printf("%-5s %4d messages:", c ? "phish" : "ham", total);
        for (int v = 3; v >= 0; v--)
            printf("  %s %d", names[v], E.counts[c][v]);
        printf("\n");
    }
    int ham_total = 0;
    for (int v = 0; v < 4; v++)
        ham_total += E.counts[0][v];
    double fp_spoofed = ham_total ? 100.0 * E.counts[0][SW_VERDICT_SPOOFED] / ham_total : 0;
    double fp_susp = ham_total ? 100.0 * E.counts[0][SW_VERDICT_SUSPICIOUS] / ham_total : 0;
    if (!only || !strcmp(only, "ham"))
        printf("ham false positives: spoofed %.2f%% (target 0), suspicious %.2f%% "
               "(target <= 1%%)\n",
               fp_spoofed, fp_susp);
    if (!only || !strcmp(only, "phish")) {
        printf("phishing with DMARC or compauth failure in the receiver's headers: %d of %d "
               "flagged (%.1f%%, target >= 98%%)\n",
               E.auth_fail_flagged, E.auth_fail_total,
               E.auth_fail_total ? 100.0 * E.auth_fail_flagged / E.auth_fail_total : 0);
        printf("misses (phishing with an authentication failure, not flagged):%s\n",
               E.nmisses ? "" : " none");
        for (int k = 0; k < E.nmisses; k++)
            printf("  %s\n", E.misses[k]);
    }
    if (!only || !strcmp(only, "ham")) {
        printf("false positives (ham flagged):%s\n", E.nfps ? "" : " none");
        for (int k = 0; k < E.nfps; k++)
            printf("  %s\n", E.fps[k]);
    }
    sw_detector_close(&E.det);
    sw_config_free(&cfg);
    return 0;
}
