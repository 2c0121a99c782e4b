/* The CSV log sources, tried in this order against a file's header row (logcsv.c). The
 * first whose columns the header all names reads the file, so a source whose columns are
 * a subset of another's comes after it (the EXO extended report before the summary). */
#include "spoofwatch/logsource.h"

extern const sw_csv_source sw_csv_exo_trace;
extern const sw_csv_source sw_csv_exo_extended;
extern const sw_csv_source sw_csv_exo_summary;
extern const sw_csv_source sw_csv_gmail_logsearch;
extern const sw_csv_source sw_csv_emailevents;

const sw_csv_source *const sw_csv_sources[] = {
    &sw_csv_exo_trace,
    &sw_csv_exo_extended,
    &sw_csv_exo_summary,
    &sw_csv_gmail_logsearch,
    &sw_csv_emailevents,
    NULL,
};
