/*
 * xmlutiltest.c: the XML helpers (hardened parsing, escaping, the generic
 * pretty printer) and the conf calls that xml2xml data cannot reach.
 */
#include <string.h>
#include <libxml/tree.h>

#include "testutils.h"
#include "conf/checkpoint_conf.h"
#include "conf/domain_conf.h"
#include "util/cairnerror.h"
#include "util/cairnxml.h"


static void
assertParseFails(const char *xml, const char *expected_message)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = cairnXMLParseString(xml, "(test)", CAIRN_FROM_XML, &err);

    g_assert_null(doc);
    g_assert_true(cairnErrorIs(err, CAIRN_ERR_XML_ERROR));
    if (expected_message)
        g_assert_cmpstr(err->message, ==, expected_message);
}


static void
testParseWellFormed(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = cairnXMLParseString("<a x='1'>t</a>", "(test)", CAIRN_FROM_XML, &err);

    g_assert_no_error(err);
    g_assert_nonnull(doc);
    g_assert_true(cairnXMLNodeNameEqual(xmlDocGetRootElement(doc), "a"));

    assertParseFails("<a>\n<b>\n</a>",
                     "XML error: (test):3: Opening and ending tag mismatch: b line 2 and a");
    assertParseFails("", NULL);
    assertParseFails("<a>&undefined;</a>", NULL);
    assertParseFails("<a/><b/>", NULL);
}


static void
testParseRefusesDTD(void)
{
    /* Internal entities (billion laughs), external entities and an
     * external DTD all need a DOCTYPE, which is refused up front. */
    assertParseFails("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
                     "XML error: (test): DOCTYPE declarations are not allowed");
    assertParseFails("<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>",
                     "XML error: (test): DOCTYPE declarations are not allowed");
    assertParseFails("<!DOCTYPE a SYSTEM 'http://example.com/a.dtd'><a/>",
                     "XML error: (test): DOCTYPE declarations are not allowed");
    assertParseFails("<?xml version='1.0'?>\n<!DOCTYPE a><a/>",
                     "XML error: (test): DOCTYPE declarations are not allowed");
}


static void
testParseSizeCap(void)
{
    g_autofree char *big = g_malloc(CAIRN_XML_MAX_SIZE + 16);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    size_t len = CAIRN_XML_MAX_SIZE + 1;

    memset(big, ' ', len);
    memcpy(big, "<a>", 3);
    memcpy(big + len - 4, "</a>", 4);
    big[len] = '\0';
    doc = cairnXMLParseString(big, "(test)", CAIRN_FROM_XML, &err);
    g_assert_null(doc);
    g_assert_cmpstr(err->message, ==, "XML error: (test): document is larger than 10485760 bytes");

    /* One byte less is fine. */
    g_clear_error(&err);
    memcpy(big + len - 5, "</a>", 4);
    big[len - 1] = '\0';
    doc = cairnXMLParseString(big, "(test)", CAIRN_FROM_XML, &err);
    g_assert_no_error(err);
    g_assert_nonnull(doc);
}


static void
testNoXInclude(void)
{
    const char *xml = "<a xmlns:xi='http://www.w3.org/2001/XInclude'>"
                      "<xi:include href='/etc/passwd' parse='text'/></a>";
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = cairnXMLParseString(xml, "(test)", CAIRN_FROM_XML, &err);
    g_autofree char *out = NULL;

    g_assert_no_error(err);
    out = cairnXMLFormatNodeString(xmlDocGetRootElement(doc), 0);
    g_assert_cmpstr(out, ==,
                    "<a xmlns:xi='http://www.w3.org/2001/XInclude'>\n"
                    "  <xi:include href='/etc/passwd' parse='text'/>\n"
                    "</a>");
}


static void
testNamespaceAmpersand(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = cairnXMLParseString("<a xmlns:p='urn:a&amp;b&#38;c'><p:x/></a>",
                                                "(test)", CAIRN_FROM_XML, &err);
    g_autofree char *out = NULL;

    g_assert_no_error(err);
    out = cairnXMLFormatNodeString(xmlDocGetRootElement(doc), 0);
    g_assert_cmpstr(out, ==, "<a xmlns:p='urn:a&amp;b&amp;c'>\n  <p:x/>\n</a>");
}


static void
testEscape(void)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    cairnXMLEscape(buf, "a&b<c>d'e\"f\x01g\th\ni\rj", false);
    g_assert_cmpstr(buf->str, ==, "a&amp;b&lt;c&gt;d&apos;e&quot;fg\th\ni&#13;j");
    g_string_truncate(buf, 0);
    cairnXMLEscape(buf, "a\tb\nc", true);
    g_assert_cmpstr(buf->str, ==, "a&#9;b&#10;c");
}


static void
testPrettyPrint(void)
{
    const char *xml = "<r b=\"x'y\" a='1'><!-- dropped --><e/><t>  two  words </t>\n"
                      "<n><m k=\"&lt;&amp;&gt;\"/>text<?pi x?></n><x><![CDATA[<c>]]></x>"
                      "<g passwd='s' p='q'/><ml>a\nb</ml></r>";
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = cairnXMLParseString(xml, "(test)", CAIRN_FROM_XML, &err);
    g_autoptr(GString) buf = g_string_new(NULL);
    const char *expected = "  <r b='x&apos;y' a='1'>\n"
                           "    <e/>\n"
                           "    <t>  two  words </t>\n"
                           "    <n><m k='&lt;&amp;&gt;'/>text</n>\n"
                           "    <x>&lt;c&gt;</x>\n"
                           "    <g passwd='s' p='q'/>\n"
                           "    <ml>a\nb</ml>\n"
                           "  </r>\n";

    g_assert_no_error(err);
    cairnXMLFormatNode(buf, xmlDocGetRootElement(doc), 2, 0);
    g_assert_cmpstr(buf->str, ==, expected);
}


static void
testNumbers(void)
{
    unsigned long long v = 0;

    g_assert_true(cairnXMLParseULongLong(" 12\n", &v));
    g_assert_cmpuint(v, ==, 12);
    g_assert_true(cairnXMLParseULongLong("18446744073709551615", &v));
    g_assert_cmpuint(v, ==, G_MAXUINT64);
    g_assert_false(cairnXMLParseULongLong("18446744073709551616", &v));
    g_assert_false(cairnXMLParseULongLong("-1", &v));
    g_assert_false(cairnXMLParseULongLong("+1", &v));
    g_assert_false(cairnXMLParseULongLong("0x10", &v));
    g_assert_false(cairnXMLParseULongLong("", &v));
    g_assert_false(cairnXMLParseULongLong("1 2", &v));
}


static void
testUUID(void)
{
    unsigned char a[CAIRN_UUID_RAW_LEN];
    unsigned char b[CAIRN_UUID_RAW_LEN];
    char str[37];

    g_assert_true(cairnUUIDParse(" 6695eb01-f6a4-8304-79aa-97f2502e193f ", a));
    cairnUUIDFormat(a, str);
    g_assert_cmpstr(str, ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_true(cairnUUIDParse("6695EB01F6A4830479AA97F2502E193F", b));
    g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
    g_assert_false(cairnUUIDParse("6695eb01-f6a4-8304-79aa-97f2502e193", a));
    g_assert_false(cairnUUIDParse("6695eb01-f6a4-8304-79aa-97f2502e193f0", a));
    g_assert_false(cairnUUIDParse("6695eb01--f6a4-8304-79aa-97f2502e193f", a));
    cairnUUIDGenerate(a);
    cairnUUIDGenerate(b);
    g_assert_true(memcmp(a, b, sizeof(a)) != 0);
}


static const char *testDomainXML =
    "<domain type='test'><name>test</name>"
    "<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid><memory>8388608</memory>"
    "<os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/guest/diskimage1'/>"
    "<target dev='vda' bus='virtio'/></disk></devices></domain>";


static void
testCheckpointCalls(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnDomainDef) dom = cairnDomainDefParseString(testDomainXML, 0, &err);
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autoptr(cairnCheckpointDef) copy = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    unsigned char other[CAIRN_UUID_RAW_LEN] = { 1 };

    g_assert_no_error(err);
    def = cairnCheckpointDefParseString("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0,
                                        &err);
    g_assert_no_error(err);

    /* Alignment needs a domain. */
    g_assert_false(cairnCheckpointAlignDisks(def, &err));
    g_assert_true(cairnErrorIs(err, CAIRN_ERR_INTERNAL_ERROR));
    g_clear_error(&err);

    cairnCheckpointDefSetDomain(def, dom);
    g_assert_true(cairnCheckpointAlignDisks(def, &err));
    g_assert_no_error(err);

    copy = cairnCheckpointDefCopy(def);
    a = cairnCheckpointDefFormat(def, CAIRN_CHECKPOINT_FORMAT_SECURE);
    b = cairnCheckpointDefFormat(copy, CAIRN_CHECKPOINT_FORMAT_SECURE);
    g_assert_cmpstr(a, ==, b);
    g_assert_nonnull(strstr(a, "  <domain type='test'>\n    <name>test</name>\n"));

    g_assert_false(cairnCheckpointRedefineValidate(copy, other, &err));
    g_assert_true(cairnErrorIs(err, CAIRN_ERR_INVALID_ARG));
    g_assert_cmpint(cairnErrorGetFrom(err), ==, CAIRN_FROM_DOMAIN_CHECKPOINT);
    g_assert_cmpstr(err->message, ==,
                    "invalid argument: definition for checkpoint c1 must use uuid "
                    "01000000-0000-0000-0000-000000000000");
    g_clear_error(&err);
    g_assert_true(cairnCheckpointRedefineValidate(copy, dom->uuid, &err));
    g_assert_no_error(err);
}


static void
testSecureDomain(void)
{
    const char *xml = "<domaincheckpoint><name>c</name><creationTime>1</creationTime>"
                      "<domain type='kvm'><name>g</name><memory>1</memory>"
                      "<os><type>hvm</type></os><devices>"
                      "<graphics type='vnc' passwd='secret'/></devices></domain>"
                      "</domaincheckpoint>";
    g_autoptr(GError) err = NULL;
    g_autoptr(cairnCheckpointDef) def = NULL;
    g_autofree char *secure = NULL;
    g_autofree char *plain = NULL;

    def = cairnCheckpointDefParseString(xml, CAIRN_CHECKPOINT_PARSE_REDEFINE, &err);
    g_assert_no_error(err);
    secure = cairnCheckpointDefFormat(def, CAIRN_CHECKPOINT_FORMAT_SECURE);
    plain = cairnCheckpointDefFormat(def, 0);
    g_assert_nonnull(strstr(secure, "<graphics type='vnc' passwd='secret'/>"));
    g_assert_nonnull(strstr(plain, "<graphics type='vnc'/>"));
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xml/parse/well-formed", testParseWellFormed);
    g_test_add_func("/xml/parse/no-dtd", testParseRefusesDTD);
    g_test_add_func("/xml/parse/size-cap", testParseSizeCap);
    g_test_add_func("/xml/parse/no-xinclude", testNoXInclude);
    g_test_add_func("/xml/escape", testEscape);
    g_test_add_func("/xml/namespace-ampersand", testNamespaceAmpersand);
    g_test_add_func("/xml/pretty-print", testPrettyPrint);
    g_test_add_func("/xml/numbers", testNumbers);
    g_test_add_func("/xml/uuid", testUUID);
    g_test_add_func("/conf/checkpoint/calls", testCheckpointCalls);
    g_test_add_func("/conf/checkpoint/secure", testSecureDomain);
    return g_test_run();
}
