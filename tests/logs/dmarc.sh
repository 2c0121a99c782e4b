#!/bin/sh
# DMARC reports: aggregate XML (namespace or none, gz, zip, attached to mail, broken XML,
# entity attacks) and failure reports (ARF, plain text), against our fixtures and against
# the parsedmarc samples (../shared/samples/dmarc-reports) as JSON output. The same samples
# are checked entry by entry from their expected.yaml by tests/conformance/dmarc.c.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

# ---- aggregate: RFC 9990 with the dmarc-2.0 namespace ----
scan_to "$TMP/ns" -q "$F/dmarc-rfc9990.xml"
status_is "9990 exit" 0
lines "9990: one record per <record>" "$TMP/ns" 2
has "9990: source id" "$TMP/ns" '"format":"dmarc-aggregate"'
has "9990: row line is the <record> start tag's" "$TMP/ns" '"line":19'
has "9990: second row line" "$TMP/ns" '"line":34'
has "9990: header_from as From domain, no invented address" "$TMP/ns" '"from":{"address":null,"display_name":null,"domain":"bank.example"}'
has "9990: envelope_from domain" "$TMP/ns" '"envelope_from":"bank-secure.example"'
has "9990: source_ip" "$TMP/ns" '"sender_ip":"203.0.113.66"'
has "9990: count" "$TMP/ns" '"count":41'
has "9990: aggregate flag" "$TMP/ns" '"flags":["dmarc_aggregate"]'
has "9990: time = date_range begin" "$TMP/ns" '"time_utc":"2025-01-01T00:00:00Z"'
has "9990: dkim with its domain" "$TMP/ns" '"method":"dkim","result":"pass","origin":{"header":"dmarc-aggregate.auth_results"'
has "9990: dkim selector kept" "$TMP/ns" '"dkim_selector":"s2025"'
has "9990: spf Pass lower-cased" "$TMP/ns" '"method":"spf","result":"pass"'
has "9990: evaluated fail/fail = dmarc fail" "$TMP/ns" '"method":"dmarc","result":"fail"'
has "9990: evaluated pass = dmarc pass" "$TMP/ns" '"method":"dmarc","result":"pass"'
has "9990: namespace" "$TMP/ns" '"xml_namespace":"urn:ietf:params:xml:ns:dmarc-2.0"'
has "9990: np/testing/discovery" "$TMP/ns" '"policy_np":"reject","policy_testing":"n","policy_discovery_method":"treewalk"'
has "9990: adkim defaults to r" "$TMP/ns" '"policy_adkim":"r","policy_aspf":"r"'
has "9990: reason" "$TMP/ns" '"reason_type":"local_policy","reason_comment":"arc=fail"'
has "9990: envelope_to" "$TMP/ns" '"envelope_to":"customer.example"'
has "9990: metadata" "$TMP/ns" '"org_name":"receiver.example","email":"dmarc-reports@receiver.example","report_id":"fixture-9990-01"'
has "9990: generator" "$TMP/ns" '"generator":"spoofwatch fixture"'
lacks "9990: no pct" "$TMP/ns" '"policy_pct"'

sed 's|<header_from>bank.example</header_from>|<header_from>Bank.EXAMPLE</header_from>|' \
    "$F/dmarc-rfc9990.xml" >"$TMP/case.xml"
scan_to "$TMP/case" -q "$TMP/case.xml"
has "header_from lower-cased as from.domain" "$TMP/case" '"domain":"bank.example"'
lacks "header_from: no mixed case" "$TMP/case" 'Bank.EXAMPLE'

# ---- aggregate: RFC 7489, no namespace; gz; zip ----
scan_to "$TMP/old" -q "$F/dmarc-rfc7489.xml"
lines "7489: one record" "$TMP/old" 1
lacks "7489: no namespace" "$TMP/old" '"xml_namespace"'
has "7489: pct and adkim as published" "$TMP/old" '"policy_adkim":"s","policy_aspf":"r","policy_p":"quarantine","policy_pct":"50"'
has "7489: empty envelope_from is absent" "$TMP/old" '"absent":["envelope_from","delivery"]'
has "7489: raw dkim pass for another domain" "$TMP/old" '"properties":{"header.d":"list.example"}'
has "7489: softfail kept" "$TMP/old" '"method":"spf","result":"softfail"'

scan_to "$TMP/gz" -q "$F/dmarc-rfc9990.xml.gz"
lines "gz: both records" "$TMP/gz" 2
has "gz: compressed noted" "$TMP/gz" '"gzip":true'
scan_to "$TMP/zip" -q "$F/dmarc-rfc7489.zip"
lines "zip: the .xml entry's record" "$TMP/zip" 1
has "zip: entry name kept" "$TMP/zip" '"zip_entry":"receiver.example!shop.example!1600000000!1600086399.xml"'
has "zip: path is the zip" "$TMP/zip" '"path":"tests/fixtures/logs/dmarc-rfc7489.zip"'

# zip bomb: three bzip2 entries of 90 MB of white space each in 835 bytes; what all the
# entries inflate is capped together, while reading
scan_to "$TMP/bomb" -q "$F/dmarc-zipbomb.zip"
status_is "zip bomb: exit" 1
has "zip bomb: the third entry stops at the cap for all entries" "$TMP/bomb.err" 'zip entry r2.xml is over the 268435456-byte cap for all entries together'

# ---- aggregate reports carried in mail ----
scan_to "$TMP/eml" -q "$F/dmarc-attached.eml"
status_is "attached: exit" 0
lines "attached: the report's records replace the carrier" "$TMP/eml" 2
has "attached: rows from the base64 gzip attachment" "$TMP/eml" '"report_id":"fixture-9990-01"'
has "attached: path is the mail file" "$TMP/eml" '"path":"tests/fixtures/logs/dmarc-attached.eml"'
lacks "attached: no carrier record" "$TMP/eml" '"message_id":"<report-1@receiver.example>"'

# a gzip attachment of two concatenated members (gzip(1) reads both): the whole report
head -c 900 "$F/dmarc-rfc9990.xml" | gzip -c >"$TMP/two.gz"
tail -c +901 "$F/dmarc-rfc9990.xml" | gzip -c >>"$TMP/two.gz"
{
    sed -n '1,7p' "$F/dmarc-attached.eml"
    printf 'Content-Type: application/gzip; name="r.xml.gz"\nContent-Transfer-Encoding: base64\n\n'
    base64 "$TMP/two.gz"
} >"$TMP/two.eml"
scan_to "$TMP/two" -q "$TMP/two.eml"
status_is "two gzip members: exit" 0
lines "two gzip members: both records" "$TMP/two" 2

scan_to "$TMP/mbox" -q "$F/dmarc-reports.mbox"
lines "mbox: ordinary message + one report row" "$TMP/mbox" 2
has "mbox: a zip that is no report leaves the mail alone" "$TMP/mbox" '"message_id":"<lunch-1@friend.example>"'
has "mbox: octet-stream named .zip read as a report" "$TMP/mbox" '"org_name":"old-receiver.example"'
lacks "mbox: report carrier not recorded" "$TMP/mbox" '<report-2@old-receiver.example>'

# ---- broken input ----
scan_to "$TMP/bad" -q "$F/dmarc-broken.xml"
status_is "broken: exit" 1
has "broken: error names the file and line" "$TMP/bad.err" 'dmarc-broken.xml:5: XML:'
lines "broken: record still read (recovered)" "$TMP/bad" 1
has "broken: its values" "$TMP/bad" '"sender_ip":"198.51.100.77"'

# the streaming reader gives up inside a record and on a mismatched end tag, whose
# recovered tree nests the following records inside the broken one: every record once
scan_to "$TMP/br" -q "$F/dmarc-broken-records.xml"
status_is "broken records: exit" 1
has "broken records: error names the file and line" "$TMP/br.err" 'dmarc-broken-records.xml:17: XML:'
lines "broken records: all four, each once" "$TMP/br" 4
for n in 1 2 3 4; do
    has "broken records: record $n" "$TMP/br" "\"sender_ip\":\"198.51.100.$n\""
done
has "broken records: recovered records keep their lines" "$TMP/br" '"line":22'
lacks "broken records: report error not doubled by the re-read" "$TMP/br" 'one report error; one report error'
scan_to "$TMP/cut" -q "$F/dmarc-truncated.xml"
lines "truncated: the cut record kept" "$TMP/cut" 1
has "truncated: its values" "$TMP/cut" '"sender_ip":"198.51.100.9"'
has "truncated: its line" "$TMP/cut" '"line":4'

scan_to "$TMP/lol" -q "$F/dmarc-laughs.xml"
has "laughs: DOCTYPE reported" "$TMP/lol.err" 'DOCTYPE declaration ignored'
lines "laughs: record read" "$TMP/lol" 1
lacks "laughs: entities not expanded" "$TMP/lol" 'lollol'
lacks "laughs: external entity not read" "$TMP/lol" 'root:'
has "laughs: text around the reference kept" "$TMP/lol" '"org_name":"laughs"'
# a DOCTYPE after a long comment is still found (the prolog is walked, not a prefix
# searched); a comment that only mentions one, with a stray quote, is left alone
{
    echo '<?xml version="1.0"?>'
    printf '<!--'
    head -c 70000 /dev/zero | tr '\0' x
    echo '-->'
    sed 1d "$F/dmarc-laughs.xml"
} >"$TMP/longlol.xml"
scan_to "$TMP/ll" -q --format dmarc-xml "$TMP/longlol.xml"
has "laughs after 70 KB: DOCTYPE reported" "$TMP/ll.err" 'DOCTYPE declaration ignored'
lines "laughs after 70 KB: record read" "$TMP/ll" 1
lacks "laughs after 70 KB: entities not expanded" "$TMP/ll" 'lollol'
{
    echo '<?xml version="1.0"?>'
    echo "<!-- no <!DOCTYPE here, don't look -->"
    sed 1d "$F/dmarc-rfc7489.xml"
} >"$TMP/cmt.xml"
scan_to "$TMP/cm" -q "$TMP/cmt.xml"
lines "DOCTYPE only in a comment: record read" "$TMP/cm" 1
lacks "DOCTYPE only in a comment: nothing blanked" "$TMP/cm.err" 'DOCTYPE'

scan_to "$TMP/nr" -q "$F/dmarc-notreport.xml"
status_is "other XML: exit" 1
has "other XML: not sniffed as a report" "$TMP/nr.err" 'dmarc-notreport.xml: not a mail format'
scan_to "$TMP/nr" -q --format dmarc-xml "$F/dmarc-notreport.xml"
status_is "other XML as dmarc-xml: exit" 1
has "other XML as dmarc-xml: said so" "$TMP/nr.err" 'dmarc-notreport.xml: no <feedback> element: not a DMARC aggregate report'
mkdir "$TMP/walk"
cp "$F/dmarc-notreport.xml" "$F/dmarc-rfc7489.zip" "$TMP/walk/"
scan_to "$TMP/w" "$TMP/walk"
status_is "walk: other XML skipped, not an error" 0
lines "walk: the zip report read" "$TMP/w" 1
has "walk: other XML counted as non-mail" "$TMP/w.err" '1 non-mail files skipped'
: >"$TMP/empty.xml"
scan_to "$TMP/em" -q "$TMP/empty.xml"
status_is "empty: exit" 1
has "empty: rejected" "$TMP/em.err" 'empty.xml: empty file'

# ---- failure report (ARF) ----
scan_to "$TMP/arf" -q "$F/dmarc-arf.eml"
status_is "arf: exit" 0
lines "arf: one record" "$TMP/arf" 1
has "arf: source id" "$TMP/arf" '"format":"dmarc-failure"'
has "arf: the enclosed message's From" "$TMP/arf" '"address":"security@bank.example","display_name":"Bank Security"'
has "arf: the enclosed message's Message-ID" "$TMP/arf" '"message_id":"<spoof-123@bank-secure.example>"'
has "arf: Source-IP without its rDNS decoration" "$TMP/arf" '"sender_ip":"203.0.113.66"'
has "arf: Original-Mail-From as envelope sender" "$TMP/arf" '"envelope_from":"billing@bank-secure.example"'
has "arf: Original-Rcpt-To with Delivery-Result" "$TMP/arf" '"address":"victim@customer.example","field":"Original-Rcpt-To","delivery":{"outcome":"blocked","action":"reject"}'
has "arf: report's dmarc=fail as the receiver's result" "$TMP/arf" '"method":"dmarc","result":"fail","origin":{"header":"dmarc-failure.Authentication-Results","index":0,"authserv_id":"receiver.example"'
has "arf: arrival time" "$TMP/arf" '"time_utc":"2025-01-03T09:58:12Z"'
has "arf: fields" "$TMP/arf" '"Feedback-Type":"auth-failure"'
has "arf: carrier kept as evidence" "$TMP/arf" '"report_message_id":"<ruf-77@receiver.example>"'

# Original-Rcpt-To may appear more than once (RFC 5965 §3.2): every one is a recipient
sed 's|^Original-Rcpt-To: <victim@customer.example>|&\nOriginal-Rcpt-To: <second@customer.example>|' \
    "$F/dmarc-arf.eml" >"$TMP/arf2.eml"
scan_to "$TMP/arf2" -q "$TMP/arf2.eml"
has "arf: first Original-Rcpt-To" "$TMP/arf2" '"address":"victim@customer.example","field":"Original-Rcpt-To"'
has "arf: second Original-Rcpt-To" "$TMP/arf2" '"address":"second@customer.example","field":"Original-Rcpt-To","delivery":{"outcome":"blocked","action":"reject"}'

# ---- the parsedmarc samples against expected.yaml ----
D=samples/dmarc-reports
if shared $D/expected.yaml; then
    S=$SHARED/$D
    # rules: every file in aggregate/ and aggregate_invalid/ parses as an aggregate report
    for f in "$S"/aggregate/* "$S"/aggregate_invalid/*; do
        n=$(basename "$f")
        scan_to "$TMP/a" -q "$f"
        if [ -s "$TMP/a" ] && ! grep -qv '"format":"dmarc-aggregate"' "$TMP/a"; then ok; else
            ko "sample $n: not read as dmarc-aggregate records"
        fi
    done
    # rules: every file in failure/ parses as a failure report
    for f in "$S"/failure/*; do
        n=$(basename "$f")
        scan_to "$TMP/f" -q "$f"
        lines "sample $n: one failure record" "$TMP/f" 1
        has "sample $n: dmarc-failure" "$TMP/f" '"format":"dmarc-failure"'
        has "sample $n: feedback type" "$TMP/f" '"Feedback-Type":"auth-failure"'
    done
    # files: per-file expectations
    scan_to "$TMP/o" -q "$S/aggregate/protection.outlook.com!example.com!1711756800!1711843200.xml"
    has "outlook: org_name" "$TMP/o" '"org_name":"outlook.com"'
    scan_to "$TMP/g" -q "$S/aggregate/Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml"
    has "google eml: org_name" "$TMP/g" '"org_name":"google.com"'
    has "google eml: from the mail file" "$TMP/g" '"format":"dmarc-aggregate"'
    scan_to "$TMP/r" -q "$S/aggregate/rfc9990-sample.xml"
    lines "rfc9990-sample: one record" "$TMP/r" 1
    has "rfc9990-sample: schema" "$TMP/r" '"xml_schema":"1.0"'
    has "rfc9990-sample: namespace" "$TMP/r" '"xml_namespace":"urn:ietf:params:xml:ns:dmarc-2.0"'
    has "rfc9990-sample: metadata" "$TMP/r" '"org_name":"Sample Reporter","email":"report_sender@example-reporter.com","extra_contact_info":"...","report_id":"3v98abbp8ya9n3va8yr8oa3ya"'
    has "rfc9990-sample: generator" "$TMP/r" '"generator":"Example DMARC Aggregate Reporter v1.2"'
    has "rfc9990-sample: policy" "$TMP/r" '"policy_domain":"example.com","policy_adkim":"r","policy_aspf":"r","policy_p":"quarantine","policy_sp":"none","policy_np":"none","policy_testing":"n","policy_discovery_method":"treewalk"'
    lacks "rfc9990-sample: pct null" "$TMP/r" '"policy_pct"'
    lacks "rfc9990-sample: fo null" "$TMP/r" '"policy_fo"'
    has "rfc9990-sample: source_ip" "$TMP/r" '"sender_ip":"192.0.2.123"'
    has "rfc9990-sample: count" "$TMP/r" '"count":123'
    has "rfc9990-sample: policy_evaluated" "$TMP/r" '"disposition":"pass","policy_evaluated_dkim":"pass","policy_evaluated_spf":"fail"'
    has "rfc9990-sample: dkim" "$TMP/r" '"method":"dkim","result":"pass","origin":{"header":"dmarc-aggregate.auth_results","index":0,"authserv_id":"dmarc-aggregate","offset":0},"properties":{"header.d":"example.com","header.s":"abc123"}'
    has "rfc9990-sample: selector" "$TMP/r" '"dkim_selector":"abc123"'
    has "rfc9990-sample: spf" "$TMP/r" '"method":"spf","result":"fail","origin":{"header":"dmarc-aggregate.auth_results","index":0,"authserv_id":"dmarc-aggregate","offset":0},"properties":{"smtp.mailfrom":"example.com"}'
    lacks "rfc9990-sample: human_result null" "$TMP/r" '"human_result"'
    scan_to "$TMP/e" -q "$S/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml"
    lines "rfc9990-example.net: 2 records" "$TMP/e" 2
    has "rfc9990-example.net: np/testing/discovery" "$TMP/e" '"policy_np":"reject","policy_testing":"y","policy_discovery_method":"treewalk"'
    scan_to "$TMP/n" -q "$S/aggregate/example.net!example.com!1529366400!1529452799.xml"
    has "example.net: pct and fo" "$TMP/n" '"policy_pct":"100","policy_fo":"0"'
    lacks "example.net: no np" "$TMP/n" '"policy_np"'
    lacks "example.net: no testing" "$TMP/n" '"policy_testing"'
    lacks "example.net: no discovery_method" "$TMP/n" '"policy_discovery_method"'
    lacks "example.net: no generator" "$TMP/n" '"generator"'
    lacks "example.net: no namespace" "$TMP/n" '"xml_namespace"'
    scan_to "$TMP/u" -q "$S/aggregate_invalid/report_with_upper_cased_pass.xml"
    has "upper Pass: evaluated" "$TMP/u" '"disposition":"none","policy_evaluated_dkim":"pass","policy_evaluated_spf":"pass"'
    has "upper Pass: dkim lower-cased" "$TMP/u" '"method":"dkim","result":"pass"'
    has "upper Pass: spf lower-cased" "$TMP/u" '"method":"spf","result":"pass"'
    scan_to "$TMP/x" -q "$S/failure/exim_plain_text_only_no_arf_part.eml"
    has "exim: failure report" "$TMP/x" '"format":"dmarc-failure"'
    has "exim: feedback type" "$TMP/x" '"Feedback-Type":"auth-failure"'
    has "exim: authentication results" "$TMP/x" '"header":"Authentication-Results"'
    has "exim: source ip" "$TMP/x" '"sender_ip":"203.0.113.68"'
    has "exim: no ARF part said" "$TMP/x" '"arf_part":"absent'
    scan_to "$TMP/l" -q "$S/aggregate/!large-example.com!1711897200!1711983600.xml"
    lines "large: 2286 records" "$TMP/l" 2286
    scan_to "$TMP/s" -q "$S/aggregate/usssa.com!example.com!1538784000!1538870399.xml"
    lines "usssa: 2 records" "$TMP/s" 2
    scan_to "$TMP/i" -q "$S/aggregate/invalid_xml.xml"
    has "invalid_xml: errors name the file" "$TMP/i.err" 'invalid_xml.xml:5: XML:'
    has "invalid_xml: recovered org_name" "$TMP/i" '"org_name":"veeam.com"'
    scan_to "$TMP/v" -q "$S/aggregate/invalid_utf_8.xml"
    has "invalid_utf_8: bad bytes reported" "$TMP/v.err" 'not valid UTF-8, read as U+FFFD'
    has "invalid_utf_8: record read" "$TMP/v" '"report_id":"example.com:1538463741"'
fi
finish logs-dmarc
