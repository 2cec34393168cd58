/* test-baseline: fingerprints, and the previous reports --baseline reads:
 * a JSON document, JSON Lines with and without the connection's record,
 * SARIF with another tool's run beside finlint's, and files that are none
 * of those. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "check.h"
#include "fingerprint.h"

static char dir[] = "/tmp/test-baseline-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

static const char CID[] = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";

static void test_fingerprint(void)
{
	struct conn_report c;
	struct conn_finding f = { 0 };
	struct rule_info ri = { .id = "rst-on-data-after-close" };
	char fp[FINGERPRINT_MAX];

	memset(&c, 0, sizeof c);
	memcpy(c.community_id, CID, sizeof CID);
	c.last_pkt = 9;
	f.rule = &ri;
	f.npkts = 3;
	f.pkts[0] = 6;
	f.pkts[1] = 8;
	f.pkts[2] = 9;
	CHECK_U64(fingerprint_of(fp, &c, &f), strlen("rst-on-data-after-close:") + strlen(CID) + 2);
	CHECK_STR(fp, "rst-on-data-after-close:1:LQU9qZlK+B5F3KDmev6m5PMibrg=:6");
	/* no evidence: located at the connection's last packet */
	f.npkts = 0;
	fingerprint_of(fp, &c, &f);
	CHECK_STR(fp, "rst-on-data-after-close:1:LQU9qZlK+B5F3KDmev6m5PMibrg=:9");
	CHECK_U64(fingerprint_packet(&c, &f), 9);
	/* parts that would not come apart again are refused */
	CHECK_U64(fingerprint_make(fp, "a:b", CID, 1), 0);
	CHECK_STR(fp, "");
	CHECK_U64(fingerprint_make(fp, "", CID, 1), 0);
	CHECK_U64(fingerprint_make(fp, "r", "", 1), 0);
	CHECK_U64(fingerprint_make(fp, "r", "1:an overlong community id, far too long", 1), 0);
	CHECK(fingerprint_make(fp, "r", CID, UINT64_MAX) > 0);
	CHECK_STR(fp, "r:1:LQU9qZlK+B5F3KDmev6m5PMibrg=:18446744073709551615");
}

static void test_json(void)
{
	char err[256] = "";
	const char *path = write_file("r.json",
		"{\"tool\":\"finlint\",\"version\":\"0.2.0\",\"schema_version\":1,\"flows\":[\n"
		"{\"id\":1,\"community_id\":\"1:aaa=\",\"last_packet\":11,\"findings\":["
		"{\"rule\":\"half-close\",\"packets\":[6,8]},"
		"{\"rule\":\"abortive-close\",\"packets\":[]}]},\n"
		"{\"id\":2,\"community_id\":\"1:bbb=\",\"last_packet\":3,\"findings\":[]},\n"
		"{\"id\":3,\"community_id\":\"1:ccc=\",\"last_packet\":30,\"findings\":["
		"{\"rule\":\"x\",\"packets\":[29],\"fingerprint\":\"given:1:zzz=:5\"}]}],\n"
		"\"inputs\":[],\"summary\":{}}\n");
	struct baseline *b = baseline_load(path, err, sizeof err);

	CHECK(b != NULL);
	CHECK_STR(err, "");
	CHECK_U64(baseline_count(b), 3);
	CHECK(baseline_has(b, "half-close:1:aaa=:6"));
	CHECK(baseline_has(b, "abortive-close:1:aaa=:11"));
	CHECK(baseline_has(b, "given:1:zzz=:5")); /* its own field wins */
	CHECK(!baseline_has(b, "x:1:ccc=:29"));
	CHECK(!baseline_has(b, "half-close:1:aaa=:8"));
	CHECK(!baseline_has(b, "half-close:1:bbb=:6"));
	baseline_free(b);
}

static void test_jsonl(void)
{
	char err[256] = "";
	const char *path = write_file("r.jsonl",
		"{\"type\":\"header\",\"tool\":\"finlint\",\"version\":\"0.2.0\",\"schema_version\":1}\n"
		"{\"type\":\"flow\",\"id\":4,\"community_id\":\"1:ddd=\",\"last_packet\":9}\n"
		"{\"type\":\"finding\",\"rule\":\"half-close\",\"packets\":[2],\"flow\":4}\n"
		"{\"type\":\"finding\",\"rule\":\"scan-probe\",\"packets\":[3],\"flow\":5,"
		"\"fingerprint\":\"scan-probe:1:eee=:3\"}\n"
		"{\"type\":\"file\",\"file\":\"a.pcap\"}\n"
		"{\"type\":\"summary\",\"files\":1}\n");
	struct baseline *b = baseline_load(path, err, sizeof err);

	CHECK(b != NULL);
	CHECK_U64(baseline_count(b), 2);
	CHECK(baseline_has(b, "half-close:1:ddd=:2"));
	CHECK(baseline_has(b, "scan-probe:1:eee=:3"));
	baseline_free(b);

	/* a finding whose connection was not listed, and no fingerprint */
	path = write_file("bad.jsonl",
		"{\"type\":\"header\",\"tool\":\"finlint\",\"version\":\"0.2.0\",\"schema_version\":1}\n"
		"{\"type\":\"finding\",\"rule\":\"half-close\",\"packets\":[2],\"flow\":4}\n");
	b = baseline_load(path, err, sizeof err);
	CHECK(b == NULL);
	CHECK(strstr(err, "line 2 of the baseline") != NULL);
}

static void test_sarif(void)
{
	char err[256] = "";
	const char *path = write_file("r.sarif",
		"{\"version\":\"2.1.0\",\"runs\":["
		"{\"tool\":{\"driver\":{\"name\":\"other\"}},\"results\":["
		"{\"message\":{\"text\":\"x\"},\"partialFingerprints\":{\"finlint/v1\":\"not:1:me=:1\"}}]},"
		"{\"tool\":{\"driver\":{\"name\":\"finlint\"}},\"results\":["
		"{\"message\":{\"text\":\"x\"},\"partialFingerprints\":"
		"{\"finlint/v1\":\"half-close:1:aaa=:6\",\"primaryLocationLineHash\":\"0:1\"}}]}]}");
	struct baseline *b = baseline_load(path, err, sizeof err);

	CHECK(b != NULL);
	CHECK_U64(baseline_count(b), 1);
	CHECK(baseline_has(b, "half-close:1:aaa=:6"));
	CHECK(!baseline_has(b, "not:1:me=:1"));
	baseline_free(b);

	path = write_file("other.sarif",
		"{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"other\"}}}]}");
	CHECK(baseline_load(path, err, sizeof err) == NULL);
	CHECK_STR(err, "the baseline is a SARIF log without a finlint run");

	path = write_file("nofp.sarif",
		"{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"finlint\"}},"
		"\"results\":[{\"message\":{\"text\":\"x\"}}]}]}");
	CHECK(baseline_load(path, err, sizeof err) == NULL);
	CHECK_STR(err, "a finding in the baseline (a SARIF log) has no fingerprint");
}

static void test_not_reports(void)
{
	char err[256] = "";
	const char *path;

	path = write_file("text.txt", "samples/07.pcap\n  link type EN10MB\n");
	CHECK(baseline_load(path, err, sizeof err) == NULL);
	CHECK_STR(err, "the baseline is not a finlint JSON, JSON Lines or SARIF report");
	path = write_file("other.json", "{\"tool\":\"zeek\",\"flows\":[]}");
	CHECK(baseline_load(path, err, sizeof err) == NULL);
	path = write_file("empty.json", "");
	CHECK(baseline_load(path, err, sizeof err) == NULL);
	path = write_file("cut.json", "{\"tool\":\"finlint\",\"flows\":[{\"id\":1,");
	CHECK(baseline_load(path, err, sizeof err) == NULL);
	CHECK(baseline_load("/nonexistent/baseline.json", err, sizeof err) == NULL);
	CHECK_STR(err, "cannot read the baseline: No such file or directory");
	/* many entries: the set grows and keeps them all */
	{
		FILE *fp;
		char name[300];
		struct baseline *b;
		bool all = true;

		snprintf(name, sizeof name, "%s/big.json", dir);
		fp = fopen(name, "w");
		fputs("{\"tool\":\"finlint\",\"flows\":[", fp);
		for (int i = 0; i < 5000; i++)
			fprintf(fp, "%s{\"community_id\":\"1:c%d=\",\"findings\":[{\"rule\":\"r\","
				"\"packets\":[%d]}]}", i ? "," : "", i, i + 1);
		fputs("]}", fp);
		fclose(fp);
		b = baseline_load(name, err, sizeof err);
		CHECK(b != NULL);
		CHECK_U64(baseline_count(b), 5000);
		for (int i = 0; i < 5000; i++) {
			char fp2[64];

			snprintf(fp2, sizeof fp2, "r:1:c%d=:%d", i, i + 1);
			all = all && baseline_has(b, fp2);
		}
		CHECK(all);
		CHECK(!baseline_has(b, "r:1:c0=:2"));
		baseline_free(b);
	}
	baseline_free(NULL);
	CHECK(!baseline_has(NULL, "x"));
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_fingerprint();
	test_json();
	test_jsonl();
	test_sarif();
	test_not_reports();
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("test-baseline");
}
