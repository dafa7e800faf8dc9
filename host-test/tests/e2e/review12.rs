//! Twelfth hostile review: what the earlier reviews' shapes left out. Text shapes (URL
//! userinfo, query tokens, headers, commands, members in other languages, escapes, provider
//! tokens) put in condition messages and read back through `get_argocd_app_status` of both
//! components; live objects read through `get_argocd_resource` of both components; pod logs;
//! the approval question of `patch_argocd_app` and `create_argocd_app`; read-only revisions.
//! A test named `review12_finding_*` asserts the secure behaviour where the review found a
//! breach (issue 19; each fixed since); the others held and keep guarding.
//!
//! Found:
//! - T1 `Authorization = Bearer …` (spaces around `=`, no quotes): the scheme is masked, the
//!   token shown;
//! - T2 an `Authorization` header with quoted parameters (`Token token="…"`, OAuth 1.0a,
//!   Digest): masked only up to the first quote;
//! - T3 an XML element named by an attribute (`<entry key="password">…</entry>`, Android's
//!   `<string name="api_key">`): the attribute is masked, the value shown;
//! - J Jsonnet hidden fields (`password:: '…'`, `:::`), in text and in an Application's
//!   Jsonnet code;
//! - L1 keys only the text rules call credentials (`GIT_DEPLOYKEY`, `APIAUTH`,
//!   `WG_PRESHAREDKEY`, `CIPHERKEY`, `DIGESTAUTH`) in objects, env entries and `valuesObject`;
//! - L2 a map under a credential key (`x-api-key: {exact: …}`, `apiKeys: {stripe: …}`);
//! - P an env entry's name and value set by two JSON6902 operations;
//! - Q1 the patch question shows a rotated private key's body lines without their PEM markers
//!   (a change inside multi-line text is shown as the changed lines only);
//! - Q2 a `-----BEGIN … PRIVATE KEY-----` line in any argument turns the rest of the approval
//!   question into `***` (the new repository, "Approve?"), and a yes then runs the hidden change;
//! - R1 read-only: `status.sync.revision` is accepted whatever repository it was compared from.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{
    LiveShape, approval_world, asked_text, assert_none, config_map, leaks_in_conditions,
    leaks_in_live, plugin_env,
};

const SHAPES: &[&str] = &[
    // URL userinfo
    "repo https://user:R12a01@x@git.example.com/repo.git failed",
    "oci://robot:R12a02@registry.example.com/charts",
    "HTTPS://u:R12a03@git.example.com/x",
    "git+ssh://git:R12a04@git.example.com/x",
    "https://u:R12a05@[::1]:8443/x",
    "https://R12a06tokenonly@github.com/org/repo.git",
    "redis://:R12a07@redis:6379/0",
    "mongodb+srv://u:R12a08@cluster0.example.net/db",
    "jdbc:postgresql://h/db?user=u&password=R12a09",
    "amqp://guest:R12a10@rabbit//",
    "https&#58;//u:R12a11@h.example.com/x",
    "https://u:R12a12 with space@h.example.com/x",
    "url=https://u:R12a13#frag@h.example.com/x",
    "https://u:R12a14?q@h.example.com/x",
    "ssh://u:R12a15@h.example.com:22/x",
    "https:/\\/u:R12a16@h.example.com/x",
    "https://u:R12a17%2540@h.example.com/x",
    "https%3A%2F%2Fu%3AR12a18%40h.example.com%2Fx",
    "https://u:R12a19@h.example.com\\x",
    "https://u：R12a20@h.example.com/x",
    // query tokens
    "GET https://acct.blob.core.windows.net/c/b?sv=2020-08-04&sig=R12b01&se=2030",
    "GET https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F&X-Amz-Signature=R12b02",
    "GET https://x.example.com/?access_token=R12b03",
    "GET https://x.example.com/?apikey=R12b04",
    "GET https://storage.googleapis.com/b/o?X-Goog-Signature=R12b05",
    "GET https://x.example.com/?sessionid=R12b06",
    "Cookie: PHPSESSID=R12b07",
    "GET https://x.example.com/?sid=R12b08",
    "GET https://hooks.slack.com/services/T000/B000/R12b09xxxxxxxxxxxxxxx",
    "GET https://x.example.com/?signature=R12b10",
    "GET https://x.example.com/?key=R12b11",
    "GET https://x.example.com/?auth=R12b12",
    // headers
    "Set-Cookie: sessionid=R12c01; Path=/",
    "X-Api-Key: R12c02",
    "authorization: token R12c03",
    "Authorization: Digest username=\"u\", response=\"R12c04\"",
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/20200101, SignedHeaders=host, Signature=R12c05",
    "Authorization: Negotiate R12c06",
    "Authorization: ApiKey R12c07",
    "Authorization: SSWS R12c08",
    "curl -H 'Authorization: Bearer R12c09' https://x",
    "curl -u admin:R12c10 https://x",
    "curl --user admin:R12c11 https://x",
    "Authorization = Bearer R12c12",
    "{\"headers\":{\"Authorization\":[\"Bearer R12c13\"]}}",
    "headers: map[Authorization:[Bearer R12c14]]",
    "Cookie: session=R12c15",
    "grpc metadata authorization=bearer R12c16",
    // commands
    "wget --http-password R12d01 https://x",
    "kubectl create secret generic x --from-literal=password=R12d02",
    "openssl pkcs12 -in a.p12 -passin pass:R12d03",
    "keytool -list -storepass R12d04 -keypass R12d05",
    "AUTH default R12d06",
    "CONFIG SET requirepass R12d07",
    "ALTER USER app IDENTIFIED BY 'R12d08'",
    "ALTER USER app IDENTIFIED BY R12d09;",
    "SET PASSWORD FOR 'u'@'%' = 'R12d10'",
    "db.createUser({user: \"u\", pwd: \"R12d11\"})",
    "machine github.com login u password R12d12",
    "vault login token=R12d13",
    "htpasswd -b -c f admin R12d14",
    "rabbitmqctl change_password admin R12d15",
    "argocd account update-password --new-password R12d16",
    "docker login --password=R12d17 r.io",
    "mysqladmin -u root password R12d18",
    "psql postgresql://u:R12d19@db/x",
    "az login --service-principal -u id --password R12d20 --tenant t",
    "aws configure set aws_secret_access_key R12d21",
    // members
    "<entry key=\"password\">R12e01</entry>",
    "<add key=\"ApiKey\" value=\"R12e02\" />",
    "<property name=\"password\" value=\"R12e03\"/>",
    "<param name=\"token\">R12e04</param>",
    "password: |\n  R12e05\nnext: 1",
    "password: >-\n  R12e06\nnext: 1",
    "password: !!str R12e07",
    "password: &anchor R12e08",
    "db.password R12e09",
    "{'password': 'R12e10'}",
    "connect(password='R12e11')",
    "password: `R12e12`",
    "'password' => 'R12e13'",
    ":password => \"R12e14\"",
    "ds.setPassword(\"R12e15\")",
    "builder.password(\"R12e16\").build()",
    "{\"value\":\"R12e17\",\"name\":\"DB_PASSWORD\"}",
    "- value: R12e18\n  name: DB_PASSWORD",
    "{\"name\":\"DB_PASSWORD\",\"valueFrom\":null,\"value\":\"R12e19\"}",
    "      DB_PASSWORD:  R12e20",
    "password -> R12e21",
    "password\u{3d}\u{200b}R12e22",
    "password\\u003dR12e23",
    "password&#61;R12e24",
    "password\\x3dR12e25",
    "\"password\"\n:\n\"R12e26\"",
    "password:\tR12e27",
    "{\"key\":\"password\",\"value\":\"R12e28\"}",
    "{\"Key\":\"DB_PASSWORD\",\"Value\":\"R12e29\"}",
    "[{\"name\":\"DB_PASSWORD\"},{\"value\":\"R12e30\"}]",
    "PASSWORD\t= R12e31",
    "set password=R12e32",
    "$env:DB_PASSWORD = 'R12e33'",
    "DB_PASSWORD := R12e34",
    "password\":\"R12e35",
    "pass\u{200B}word: R12e36",
    "pаssword: R12e37",
    "PASSWORD=\"R12e38 with spaces\"",
    "password: 'R12e39 it''s'",
    "\"password\": \"R12e40\\\"more\"",
    "pwd=R12e41",
    "passwd:R12e42",
    "secret_access_key = R12e43",
    "private_key_id = R12e44",
    "client-key-data: R12e45",
    "id-token: R12e46",
    "auth_token R12e47",
    "\"token\" : \"R12e48\"",
    "TOKEN='R12e49'",
    "--token R12e50",
    "-token=R12e51",
    "--api-key=R12e52",
    "token=R12e53&x=1",
    "ldap bind_dn=cn=admin bind_pw=R12e54",
    "bindPassword: R12e55",
    "webhook url secret R12e56",
    "hmac: R12e57",
    "signature: R12e58",
    "salt: R12e59",
    "otp: R12e60",
    "pin: R12e61",
    "mnemonic: R12e62",
    "seed: R12e63",
    "AccountKey=R12e64;",
    "SharedAccessSignature=sv=2020&sig=R12e65",
    "webhookSecret: R12e66",
    "encryptionKey: R12e67",
    "cookieSecret: R12e68",
    "sessionKey: R12e69",
    "jwtSigningKey: R12e70",
    // tokens
    "glrt-R12f01abcdefghijklmnop",
    "gldt-R12f02abcdefghijklmnop",
    "dckr_pat_R12f03abcdefghijklmnop",
    "hvs.R12f04abcdefghijklmnopqrstu",
    "hf_R12f05abcdefghijklmnopqrstuvwxyz",
    "ya29.R12f06abcdefghijklmnopqrstu",
    "sntrys_R12f07abcdefghijklmnop",
    "whsec_R12f08abcdefghijklmnop",
    "xapp-1-R12f09abcdefghijklmnop",
    "ATATT3xFfGF0R12f10abcdefghijklmnop",
    "AGE-SECRET-KEY-1R12F11QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nR12f12b3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nR12f13lQOYBF\n-----END PGP PRIVATE KEY BLOCK-----",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nR12f14MIIFHDBO\n-----END ENCRYPTED PRIVATE KEY-----",
    "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nPrivate-Lines: 1\nR12f15AAAAgQ\nPrivate-MAC: ab",
    "sk-proj-R12f16abcdefghijklmnopqrstuvwxyz",
    "sk_live_R12f17abcdefghijklmnop",
    "npm_R12f18abcdefghijklmnopqrstuvwxyz0123",
    "pypi-AgEIcHlwaS5vcmcR12f19abcdefghijkl",
    "glsa_R12f20abcdefghijklmnopqrstuvwxyz_12345678",
    "dop_v1_R12f21abcdefghijklmnop",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJSMTJmMjIifQ.R12f22sigsigsigsig",
    "-----BEGIN RSA PRIVATE KEY-----\\nR12f23MIIEow\\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY----- R12f24MIIEvQIBADANBg -----END PRIVATE KEY-----",
    "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/R12f25EXAMPLEKEY",
    "xoxe.xoxp-1-R12f26abcdefghijklmnop",
    "github_pat_11AAAAAAA0R12f27abcdefghijklmnopqrstuvwxyz",
    "shpss_R12f28abcdefghijklmnop",
    "lin_api_R12f29abcdefghijklmnop",
    "SG.R12f30abcdefghij.klmnopqrstuvwxyz012345",
    // round 2
    "Authorization=Bearer R12g01",
    "\"Authorization\" = \"Bearer R12g02\"",
    "authorization = \"Bearer R12g03\"",
    "Authorization => \"Bearer R12g04\"",
    "headers = { Authorization = \"Bearer R12g05\" }",
    "Authorization := \"Bearer R12g06\"",
    "Authorization: Token token=\"R12g07\", user=\"u\"",
    "Authorization: OAuth oauth_consumer_key=\"k\", oauth_signature=\"R12g08\"",
    "authorization: \"Bearer R12g09\"",
    "Authorization=\"Basic R12g10==\"",
    "Authorization = Basic R12g11abc=",
    "proxy_authorization = Bearer R12g12",
    "X-Api-Key = R12g13",
    "Authorization: Bearer\tR12g14",
    "<entry key=\"db.password\">R12g15</entry>",
    "<entry key=\"password\"><![CDATA[R12g16]]></entry>",
    "<string name=\"api_key\">R12g17</string>",
    "<Parameter name=\"password\">R12g18</Parameter>",
    "<add name=\"Password\" value=\"R12g19\" />",
    "<env name=\"DB_PASSWORD\">R12g20</env>",
    "<setting name=\"ApiKey\" serializeAs=\"String\"><value>R12g21</value></setting>",
    "<item key=\"token\" value=\"R12g22\"/>",
    "{&#34;password&#34;:&#34;R12g23&#34;}",
    "Cookie = session=R12g25",
    "authorization=Bearer%20R12g26",
    "?authorization=Bearer+R12g27&x=1",
    "Authorization: bearer R12g28",
    "set_header(\"Authorization\", \"Bearer R12g30\")",
    "req.headers['Authorization'] = 'Bearer R12g31'",
    "{\"Authorization\": \"Token R12g32\"}",
    "Authorization: Token R12g33",
    "Authorization = Token R12g34",
    "token = Bearer R12g35",
    "api_key = Bearer R12g36",
    "password = Basic R12g37",
    // round 3
    "Authorization:Bearer R12k01",
    "Authorization : Bearer R12k02",
    "X-Api-Key:R12k03",
    "Cookie: a=1; session=R12k04",
    "proxy_set_header Authorization \"Bearer R12k05\";",
    "curl -H \"X-Api-Key: R12k06\" https://x",
    "{Username:deploy Password:R12k07}",
    "map[password:R12k08]",
    "[password] => R12k09",
    "spring.datasource.password:R12k10",
    "{\\\"password\\\":\\\"R12k11\\\"}",
    "password%3DR12k12",
    "%22password%22%3A%22R12k13%22",
    "password:\u{a0}R12k14",
    "password\u{ff1a}R12k15",
    "requirepass R12k16",
    "Authorization: Bearer R12k17\r\nHost: x",
    "export API_TOKEN=R12k18",
    "API_TOKEN=R12k19 ./run.sh",
    "env: [{name: API_TOKEN, value: R12k20}]",
    "--docker-password R12k21",
    "X-Auth-Token = R12k22",
    "TF_VAR_db_password=R12k23",
    "postgres://app:R12k24@db:5432/app?sslmode=disable",
    "Password=R12k25;Server=db",
    "{\"Authorization\":[\"Basic R12k26==\"]}",
    "PGPASSWORD='R12k27' psql",
    "ENV API_KEY R12k28",
    "ARG GITHUB_TOKEN=R12k29",
    "aws configure set aws_secret_access_key R12k30",
];

/// Shapes of the list above that leak but that the README admits it cannot hide, or that no
/// honest writer produces: a provider's token without a listed prefix, a name the rule does not
/// call a credential (`hmac`, `salt`, `pin`, `seed`), prose and `name value` without a
/// separator, setters and builders in code, positional arguments, homoglyphs and zero-width
/// characters inside a name, an HTML entity other than a quote's, a space inside a URL's
/// password. Printed by `review12_scratch_text`, not failed.
const ADMITTED: &[&str] = &[
    "R12a11", "R12a12", "R12b08", "R12d14", "R12d15", "R12d18", "R12e09", "R12e12", "R12e15",
    "R12e16", "R12e21", "R12e24", "R12e26", "R12e30", "R12e35", "R12e36", "R12e37", "R12e47",
    "R12e56", "R12e57", "R12e58", "R12e59", "R12e60", "R12e61", "R12e62", "R12e63", "R12f05",
    "R12f06", "R12f07", "R12f08", "R12f09", "R12f10", "R12f19", "R12f20", "R12f21", "R12f25",
    "R12f28", "R12f29", "R12f30",
];

/// FINDING T1: `name = Scheme token` (spaces around `=`, no quotes): the assignment rule takes
/// one word as the value, which is the scheme, and the token after it stays.
const SCHEME_AFTER_SPACED_EQUALS: &[&str] = &[
    "Authorization = Bearer R12h01tok",
    "Authorization = Basic R12h02abc=",
    "Authorization = Token R12h03tok",
    "proxy_authorization = Bearer R12h04tok",
    "token = Bearer R12h05tok",
    "2026-12-06 level=debug request headers: Authorization = Bearer R12h06tok",
];

/// FINDING T2: an `Authorization` header whose credentials are quoted parameters (Rails' token
/// authentication, OAuth 1.0a, Digest): the header rule stops at the first quote, not at the
/// end of the line the README promises.
const QUOTED_HEADER_PARAMETERS: &[&str] = &[
    "Authorization: Token token=\"R12h11tok\", user=\"deploy\"",
    "Authorization: OAuth oauth_consumer_key=\"k\", oauth_signature=\"R12h12sig\"",
    "Authorization: Digest username=\"u\", realm=\"r\", response=\"R12h13rsp\"",
    "GET /api/v1/items 200 authorization: Token token=\"R12h14tok\"",
];

/// FINDING T3: an XML element named by an attribute, its value its text: Java's
/// `Properties.storeToXML` (`<entry key="password">`), Android's `strings.xml`
/// (`<string name="api_key">`). The scrubber masks the attribute naming the entry
/// (`key="***"`) and shows the value.
const XML_NAMED_BY_ATTRIBUTE: &[&str] = &[
    "<entry key=\"password\">R12h21pw</entry>",
    "<entry key=\"db.password\"><![CDATA[R12h22pw]]></entry>",
    "<string name=\"api_key\">R12h23key</string>",
    "<string name=\"google_maps_api_key\">R12h24key</string>",
    "<Parameter name=\"password\">R12h25pw</Parameter>",
];

/// The secret each text shape holds: its word that starts with `R12`.
fn secret_of(text: &str) -> &str {
    let at = text.find("R12").expect("every shape holds R12");
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Native first pass over the text rules (quick to read; the e2e tests below are the proof).
#[test]
fn review12_scratch_text() {
    for s in SHAPES {
        let out = argocd_mcp::tools::without_credentials(s);
        let leak = out.contains(secret_of(s));
        eprintln!(
            "{} IN  {s:?}\n     OUT {out:?}",
            if leak { "LEAK" } else { "ok  " }
        );
    }
}

/// Held: every text shape above but those admitted, in condition messages of both components.
#[tokio::test]
async fn review12_text_shapes_in_conditions() {
    let findings: Vec<&str> = SCHEME_AFTER_SPACED_EQUALS
        .iter()
        .chain(QUOTED_HEADER_PARAMETERS)
        .chain(XML_NAMED_BY_ATTRIBUTE)
        .copied()
        .collect();
    let held: Vec<&str> = SHAPES
        .iter()
        .copied()
        .filter(|s| !ADMITTED.contains(&&secret_of(s)[..6]))
        .filter(|s| !findings.iter().any(|f| secret_of(f) == secret_of(s)))
        .filter(|s| {
            // The round-2 shapes that the findings below cover in their own words.
            ![
                "R12c04", "R12c12", "R12e01", "R12e04", "R12g07", "R12g08", "R12g11", "R12g12",
                "R12g15", "R12g16", "R12g17", "R12g18", "R12g20", "R12g21", "R12g34", "R12g35",
                "R12g36", "R12g37",
            ]
            .contains(&&secret_of(s)[..6])
        })
        .collect();
    // A status answer shows the first 20 conditions; plant them 20 at a time.
    let mut found = Vec::new();
    for batch in held.chunks(20) {
        found.extend(leaks_in_conditions(batch, secret_of).await);
    }
    assert_none(found);
}

#[tokio::test]
async fn review12_finding_scheme_after_spaced_equals() {
    assert_none(leaks_in_conditions(SCHEME_AFTER_SPACED_EQUALS, secret_of).await);
}

#[tokio::test]
async fn review12_finding_authorization_quoted_parameters() {
    assert_none(leaks_in_conditions(QUOTED_HEADER_PARAMETERS, secret_of).await);
}

#[tokio::test]
async fn review12_finding_xml_element_named_by_attribute() {
    assert_none(leaks_in_conditions(XML_NAMED_BY_ATTRIBUTE, secret_of).await);
}

// ---------------------------------------------------------------------------------------------
// Live objects
// ---------------------------------------------------------------------------------------------

/// FINDING L1: names the text scrubber calls credentials (`src/tools/scrub/names.rs`: `deploy`,
/// `preshared`, `cipher`, `crypt` run together with `key`; `api`, `digest` with `auth`) that
/// the object masking's own rule (`looks_like_credential`) does not: a ConfigMap's entries and
/// a container's env under them are shown by `get_argocd_resource`. In text (`GIT_DEPLOYKEY=…`)
/// the same value is hidden.
fn names_only_text_knows() -> Vec<LiveShape> {
    vec![
        (
            "ConfigMap entries named DEPLOYKEY, APIAUTH, PRESHAREDKEY, CIPHERKEY",
            config_map(
                "r12-l1-cm",
                json!({"GIT_DEPLOYKEY": "R12l01a", "APIAUTH": "R12l01b",
                       "WG_PRESHAREDKEY": "R12l01c", "CIPHERKEY": "R12l01d"}),
            ),
            &["R12l01a", "R12l01b", "R12l01c", "R12l01d"],
        ),
        (
            "Deployment env named GIT_DEPLOYKEY",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "r12-l1-deploy", "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1",
                       "env": [{"name": "GIT_DEPLOYKEY", "value": "R12l02a"},
                               {"name": "DIGESTAUTH", "value": "R12l02b"}]}]}}}}),
            &["R12l02a", "R12l02b"],
        ),
    ]
}

/// FINDING L2: a map under a credential's key. The masking hides a credential key's string,
/// number or list, and of a map only its `value`; the map's other entries are judged by their
/// own (innocent) keys: an Istio route matching an API key header (`x-api-key: {exact: …}`),
/// a custom resource's `apiKeys` per provider, `auth: {basic: …}`.
fn maps_under_credential_keys() -> Vec<LiveShape> {
    vec![
        (
            "Istio VirtualService: header match on x-api-key",
            json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                   "metadata": {"name": "r12-l2-vs", "namespace": "guestbook"},
                   "spec": {"hosts": ["api"], "http": [{
                       "match": [{"headers": {"x-api-key": {"exact": "R12l03a"}}}],
                       "route": [{"destination": {"host": "api"}}]}]}}),
            &["R12l03a"],
        ),
        (
            "custom resource: apiKeys per provider, credentials per user, auth.basic",
            json!({"apiVersion": "example.com/v1", "kind": "Integration",
                   "metadata": {"name": "r12-l2-cr", "namespace": "guestbook"},
                   "spec": {"apiKeys": {"stripe": "R12l04a", "sendgrid": "R12l04b"},
                            "credentials": {"admin": "R12l04c"},
                            "auth": {"basic": "R12l04d"}}}),
            &["R12l04a", "R12l04b", "R12l04c", "R12l04d"],
        ),
    ]
}

/// Held: shapes the masking reads right (Argo CD's own fields and other kinds).
fn held_live_shapes() -> Vec<LiveShape> {
    let repo = "https://git.example.com/platform/guestbook.git";
    vec![
        (
            "Application operation.sync.manifests: a Secret as YAML text, innocent keys",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "r12-h1", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                            "source": {"repoURL": repo, "path": "k"}},
                   "operation": {"sync": {"manifests": [
                       "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  conn: UjEyaDAxYQ==\nstringData:\n  dsn: R12m01a\n",
                       "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db2\"},\"stringData\":{\"conn\":\"R12m01b\"}}"]}}}),
            &["R12m01a", "R12m01b", "UjEyaDAxYQ"],
        ),
        (
            "ApplicationSet templatePatch with Go template lines around Helm parameters",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                   "metadata": {"name": "r12-h2", "namespace": "argocd"},
                   "spec": {"goTemplate": true, "generators": [{"list": {"elements": [{"env": "dev"}]}}],
                            "template": {"metadata": {"name": "{{.env}}"}, "spec": {"project": "default",
                                "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                                "source": {"repoURL": repo, "path": "k"}}},
                            "templatePatch": "spec:\n  source:\n    helm:\n      parameters:\n        - name: \"db.password\"\n          value: \"R12m02a\"\n{{- if .autoSync }}\n  syncPolicy:\n    automated: {}\n{{- end }}\n"}}),
            &["R12m02a"],
        ),
        (
            "Application spec.info and Helm fileParameters",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "r12-h4", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                            "info": [{"name": "grafana api key", "value": "R12m04a"}],
                            "source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                                "helm": {"fileParameters": [{"name": "tls.key", "path": "secrets/tls.key"}],
                                         "parameters": [{"name": "image.tag", "value": "1.0"}, {"name": "auth.apiToken", "value": "R12m04b", "forceString": true}]}}}}),
            &["R12m04a", "R12m04b"],
        ),
        (
            "Gateway API HTTPRoute: header match by name/value",
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                   "metadata": {"name": "r12-h5", "namespace": "guestbook"},
                   "spec": {"rules": [{"matches": [{"headers": [{"type": "Exact", "name": "X-Api-Key", "value": "R12m05a"}]}]}]}}),
            &["R12m05a"],
        ),
        (
            "Istio AuthorizationPolicy: when key request.headers[x-api-key]",
            json!({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                   "metadata": {"name": "r12-h6", "namespace": "guestbook"},
                   "spec": {"rules": [{"when": [{"key": "request.headers[x-api-key]", "values": ["R12m06a"]}]}]}}),
            &["R12m06a"],
        ),
    ]
}

async fn check_live(shapes: Vec<LiveShape>) {
    assert_none(leaks_in_live(&shapes).await);
}

#[tokio::test]
async fn review12_finding_names_only_text_knows() {
    check_live(names_only_text_knows()).await;
}

#[tokio::test]
async fn review12_finding_maps_under_credential_keys() {
    check_live(maps_under_credential_keys()).await;
}

#[tokio::test]
async fn review12_live_shapes_held() {
    check_live(held_live_shapes()).await;
}

/// FINDING J: Jsonnet's hidden field (`password:: '…'`, and `:::`), in an Application's Jsonnet
/// `extVars`/`tlas` given as code (`code: true`, named innocently: the value is a Jsonnet
/// object) and in text: the member rule reads `name:` then a value, and `::` is neither.
fn jsonnet_hidden_fields() -> Vec<LiveShape> {
    let repo = "https://git.example.com/platform/guestbook.git";
    vec![(
        "Application Jsonnet extVars as code, hidden field and local",
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "r12-h3", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                            "source": {"repoURL": repo, "path": "j", "directory": {"jsonnet": {
                                "extVars": [{"name": "config", "code": true, "value": "{ password:: 'R12m03a', user: 'app' }"}],
                                "tlas": [{"name": "db", "code": true, "value": "{ apiToken::: 'R12m03c' }"}]}}}}}),
        &["R12m03a", "R12m03c"],
    )]
}

const JSONNET_TEXT: &[&str] = &[
    "local db = { user: 'app', password:: 'R12j01pw' };",
    "{ apiToken::: \"R12j02tok\" }",
];

#[tokio::test]
async fn review12_finding_jsonnet_hidden_field() {
    let mut found = leaks_in_live(&jsonnet_hidden_fields()).await;
    found.extend(leaks_in_conditions(JSONNET_TEXT, secret_of).await);
    assert_none(found);
}

/// FINDING T3 again, in a ConfigMap's file (Java's properties as XML).
fn xml_named_by_attribute_in_objects() -> Vec<LiveShape> {
    vec![(
        "ConfigMap: Java properties XML and Android strings as a file",
        config_map(
            "r12-h7",
            json!({"app.xml": "<properties>\n<entry key=\"db.user\">app</entry>\n<entry key=\"db.password\">R12m07a</entry>\n</properties>\n"}),
        ),
        &["R12m07a"],
    )]
}

#[tokio::test]
async fn review12_finding_xml_element_named_by_attribute_in_objects() {
    check_live(xml_named_by_attribute_in_objects()).await;
}

/// Held: `local password = '…';` in Jsonnet code.
#[tokio::test]
async fn review12_jsonnet_local_held() {
    assert_none(
        leaks_in_conditions(
            &["local password = 'R12j03pw'; { pw: password }"],
            secret_of,
        )
        .await,
    );
}

// ---------------------------------------------------------------------------------------------
// Read-only mode
// ---------------------------------------------------------------------------------------------

async fn read_only_world() -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
            ("read_only", "true"),
        ],
    )
    .await
}

/// The paths of what reached the repo-server through Argo CD (manifests, revision metadata).
fn revisions_fetched(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/manifests") || p.contains("/revisions/"))
        .collect()
}

/// FINDING R1: the revision an app was last compared at (`status.sync.revision`) is accepted
/// whatever repository it was compared from. History entries are judged by the repository they
/// deployed (`legacy-branch` of another repository is refused), but `status.sync` keeps its
/// repository under `comparedTo.source`, which `known_revisions` does not read: after the
/// app's `repoURL` changes, until Argo CD compares it again (or for as long as the new one
/// fails to compare), the old repository's branch is sent to be fetched from the new one.
#[tokio::test]
async fn review12_finding_read_only_sync_revision_of_another_repository() {
    let world = read_only_world().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        let now = app["spec"]["source"]["repoURL"]
            .as_str()
            .unwrap()
            .to_owned();
        app["spec"]["source"]["repoURL"] =
            json!("https://git.example.com/platform/replacement.git");
        app["status"]["sync"]["revision"] = json!("old-repo-branch");
        app["status"]["sync"]["comparedTo"]["source"]["repoURL"] = json!(now);
        app["status"]["sync"]["status"] = json!("Unknown");
    }
    let answer = world
        .call(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": "old-repo-branch"}),
        )
        .await
        .to_string();
    println!("review12 read-only manifests: {answer}");
    let fetched = revisions_fetched(&world);
    assert!(
        fetched.is_empty() && answer.contains("read-only"),
        "read-only sent {fetched:?}: {answer}"
    );
}

/// Held: the same revision while the app's repository is the one it was compared from is read
/// (it is the app's own); a history entry of another repository is refused.
#[tokio::test]
async fn review12_read_only_history_of_another_repository_held() {
    let world = read_only_world().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["status"]["history"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": 99, "revision": "other-repo-branch",
                         "source": {"repoURL": "https://git.example.com/elsewhere.git", "path": "x"}}));
    }
    let error = world
        .tool_error(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": "other-repo-branch"}),
        )
        .await;
    assert!(error.contains("read-only"), "{error}");
    assert!(revisions_fetched(&world).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Pod logs: values over several lines
// ---------------------------------------------------------------------------------------------

/// What `get_argocd_app_logs` of guestbook showed of `lines` (one log entry each) through both
/// components: the secrets among `secrets` that showed.
async fn leaks_in_logs(what: &str, lines: &[&str], secrets: &[&str]) -> Vec<String> {
    let world = World::new().await;
    world.standin.state().review_log_lines = lines.iter().map(|l| (*l).to_owned()).collect();
    let server = crate::planting::server_logs(&world).await;
    let plugin = crate::planting::plugin_logs(&plugin_env(&world.standin)).await;
    println!("review12 logs {what}:\n server: {server}\n plugin: {plugin}");
    let mut found = Vec::new();
    for s in secrets {
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(s) {
                found.push(format!("{component} get_argocd_app_logs {what}: {s}"));
            }
        }
    }
    found
}

/// Held: values that continue on the next log line.
#[tokio::test]
async fn review12_values_over_log_lines_held() {
    let mut found = Vec::new();
    for (what, lines, secrets) in [
        (
            "YAML double-quoted scalar continued",
            &[
                "config:",
                "  password: \"R12n01a",
                "    R12n01b\"",
                "  port: 5432",
            ][..],
            &["R12n01a", "R12n01b"][..],
        ),
        (
            "JSON pretty-printed, value on the next line",
            &[
                "{",
                "  \"password\":",
                "    \"R12n02a\",",
                "  \"user\": \"app\"",
                "}",
            ],
            &["R12n02a"],
        ),
        (
            "YAML block scalar",
            &[
                "db:",
                "  password: |",
                "    R12n03a",
                "    R12n03b",
                "  user: app",
            ],
            &["R12n03a", "R12n03b"],
        ),
        (
            "YAML single-quoted scalar continued",
            &["token: 'R12n04a", "  R12n04b'", "next: 1"],
            &["R12n04a", "R12n04b"],
        ),
    ] {
        found.extend(leaks_in_logs(what, lines, secrets).await);
    }
    assert_none(found);
}

// ---------------------------------------------------------------------------------------------
// The approval question
// ---------------------------------------------------------------------------------------------

/// The question of a patch of guestbook, whose source is first given `current`: what of
/// `secrets` it showed.
async fn patch_question_shows(
    world: &World,
    current: Option<Value>,
    patch: Value,
    secrets: &[&str],
) -> Vec<String> {
    if let Some(source) = current {
        world.standin.state().apps.get_mut("guestbook").unwrap().app["spec"]["source"] = source;
    }
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": patch}});
    let text = asked_text(world, &call).await;
    secrets
        .iter()
        .filter(|s| text.contains(*s))
        .map(|s| format!("patch question: {s}"))
        .collect()
}

const KEY_LINES_OLD: [&str; 2] = [
    "MIIEowIBAAKCAQEAR12p01aQ3VzdG9tS2V5RGF0YUZvclRoZVJldmlld1R3ZWxmdGgx",
    "R12p01bWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh",
];
const KEY_LINES_NEW: [&str; 2] = [
    "MIIEpAIBAAKCAQEAR12p02aQ3VzdG9tS2V5RGF0YUZvclRoZVJldmlld1R3ZWxmdGgy",
    "R12p02bWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh",
];

/// Helm values text holding a certificate and its private key under an innocent key
/// (`server.pem`, as HAProxy and others take them).
fn values_with_key(lines: [&str; 2]) -> String {
    format!(
        "replicas: 2\nserver.pem: |\n  -----BEGIN CERTIFICATE-----\n  MIIBkTCB+wIJAKHHIG\n  -----END CERTIFICATE-----\n  -----BEGIN RSA PRIVATE KEY-----\n  {}\n  {}\n  -----END RSA PRIVATE KEY-----\nimage:\n  tag: v1\n",
        lines[0], lines[1]
    )
}

fn helm_source(values: String) -> Value {
    json!({"repoURL": "https://charts.example.com", "chart": "guestbook", "targetRevision": "1.0.0",
           "helm": {"values": values}})
}

/// FINDING Q1: a change inside text of several lines is shown as the lines that change
/// (`Statement::text_change`), cut from the lines around them, and only then scrubbed: a
/// private key's body lines rotated in Helm values (under an innocent key the masking cannot
/// judge) reach the question without their `BEGIN`/`END` lines, as base64 nothing names. The
/// whole values text, scrubbed, hides them; both the old and the new key's lines show.
#[tokio::test]
async fn review12_finding_patch_question_private_key_lines_cut_from_markers() {
    let world = approval_world().await;
    let found = patch_question_shows(
        &world,
        Some(helm_source(values_with_key(KEY_LINES_OLD))),
        json!({"spec": {"source": {"helm": {"values": values_with_key(KEY_LINES_NEW)}}}}),
        &["R12p01a", "R12p01b", "R12p02a", "R12p02b"],
    )
    .await;
    assert_none(found);
}

/// FINDING L1 and T1 through the question: a Helm parameter and a `valuesObject` key named
/// `GIT_DEPLOYKEY`, and an annotation `Authorization = Bearer …`.
#[tokio::test]
async fn review12_finding_patch_question_names_only_text_knows() {
    let world = approval_world().await;
    let mut found = Vec::new();
    for (patch, secret) in [
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"git": {"GIT_DEPLOYKEY": "R12q01a"}}}}}}),
            "R12q01a",
        ),
        (
            json!({"metadata": {"annotations": {"example.com/notes": "call it with Authorization = Bearer R12q02a"}}}),
            "R12q02a",
        ),
    ] {
        found.extend(patch_question_shows(&world, None, patch, &[secret]).await);
    }
    assert_none(found);
}

/// Held: the question of patches carrying credentials the masking and the scrubber both know.
#[tokio::test]
async fn review12_patch_question_held() {
    let world = approval_world().await;
    let mut found = Vec::new();
    for (patch, secret) in [
        (
            json!({"spec": {"source": {"helm": {"parameters": [{"name": "GIT_DEPLOYKEY", "value": "R12q03a"}]}}}}),
            "R12q03a",
        ),
        (
            json!({"spec": {"info": [{"name": "x-api-key", "value": "R12q04a"}]}}),
            "R12q04a",
        ),
        (
            json!({"metadata": {"annotations": {"example.com/notes": "line one\nAuthorization: Bearer R12q05a\nline three"}}}),
            "R12q05a",
        ),
    ] {
        found.extend(patch_question_shows(&world, None, patch, &[secret]).await);
    }
    assert_none(found);
}

/// FINDING Q2: the question is scrubbed as one text after it is written
/// (`approval_question_of`: `without_credentials(&text)`), and a private key's `BEGIN` line
/// hides everything to its `END` line "or to the end of the text". An agent that puts a
/// `-----BEGIN RSA PRIVATE KEY-----` line in an innocent field (an annotation of the patch, the
/// `path` of a create) turns every line of the question after it into `***`: the repository
/// the patch points the app at, the create's repository and revision, and "Approve?". The
/// person is asked to approve a change they are not shown.
#[tokio::test]
async fn review12_finding_question_cut_short_by_a_pem_marker() {
    let world = approval_world().await;
    let patch = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": {
            "metadata": {"annotations": {"a": "-----BEGIN RSA PRIVATE KEY-----"}},
            "spec": {"source": {"repoURL": "https://evil.example.com/takeover.git"}}}}});
    let create = json!({"name": "create_argocd_app", "arguments": {
        "name": "r12-created", "project": "default", "confirm": true,
        "path": "apps/-----BEGIN PRIVATE KEY-----",
        "repo_url": "https://evil.example.com/takeover.git", "target_revision": "evil-branch",
        "dest_namespace": "kube-system"}});
    let mut missing = Vec::new();
    for (tool, call, shown) in [
        (
            "patch",
            patch,
            &["evil.example.com/takeover.git", "Approve?"][..],
        ),
        (
            "create",
            create,
            &["evil.example.com/takeover.git", "evil-branch", "Approve?"][..],
        ),
    ] {
        let text = asked_text(&world, &call).await;
        // Asked, it shows every line after the marker; or refused, since a marker is text the
        // question would hide (the fifteenth review's rule).
        if !text.contains("Approve?") && text.contains("Nothing was changed") {
            continue;
        }
        for s in shown {
            if !text.contains(s) {
                missing.push(format!("{tool} question does not show {s:?}"));
            }
        }
    }
    // What a person's yes to the patch question (with its last lines `***`) then does.
    let patch = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": {
            "metadata": {"annotations": {"a": "-----BEGIN RSA PRIVATE KEY-----"}},
            "spec": {"source": {"repoURL": "https://evil.example.com/takeover.git"}}}}});
    let body = crate::attacks::modern_call(patch.clone());
    let (_, asked) = world.post(&body, &crate::modern::mirrored(&body)).await;
    let mut approved = patch;
    approved["requestState"] = asked["result"]["requestState"].clone();
    approved["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let body = crate::attacks::modern_call(approved);
    let (_, done) = world.post(&body, &crate::modern::mirrored(&body)).await;
    let repo = world.standin.app("guestbook").unwrap()["spec"]["source"]["repoURL"].clone();
    println!(
        "review12 approved: {} → guestbook repoURL {repo}",
        done["result"]["resultType"]
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Held: an END line under the change of repository does not hide it (the line above it is no
/// base64).
#[tokio::test]
async fn review12_question_end_marker_held() {
    let world = approval_world().await;
    let patch_end = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": {
            "spec": {"source": {"repoURL": "https://evil.example.com/takeover.git"},
                     "syncPolicy": {"managedNamespaceMetadata": {"annotations": {
                         "a": "-----END RSA PRIVATE KEY-----"}}}}}}});
    let text = asked_text(&world, &patch_end).await;
    assert!(text.contains("evil.example.com/takeover.git"), "{text}");
}

/// FINDING P: a `{name, value}` entry written by two JSON patch operations, one setting
/// `…/env/0/name` to a credential's name, the next `…/env/0/value`: each operation is judged by
/// its own `path` (`…/name`, `…/value`: no credential), and the pair is never put together —
/// the JSON6902 counterpart of review 11's pair given field by field. In an Application's
/// Kustomize patch (YAML text) and a Flux Kustomization's operations (objects), shown by
/// `get_argocd_resource` (both components) and by the patch question.
fn split_across_operations() -> Vec<LiveShape> {
    let repo = "https://git.example.com/platform/guestbook.git";
    vec![
        (
            "kustomize patch: env name and value set by two JSON6902 operations",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "r12-s1", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                            "source": {"repoURL": repo, "path": "k", "kustomize": {"patches": [
                                {"target": {"kind": "Deployment", "name": "api"},
                                 "patch": "- op: replace\n  path: /spec/template/spec/containers/0/env/0/name\n  value: DB_PASSWORD\n- op: replace\n  path: /spec/template/spec/containers/0/env/0/value\n  value: R12s01a\n"}]}}}}),
            &["R12s01a"],
        ),
        (
            "Flux Kustomization: the same two operations as objects",
            json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1beta1", "kind": "Kustomization",
                   "metadata": {"name": "r12-s2", "namespace": "guestbook"},
                   "spec": {"interval": "10m", "path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "apps"},
                            "patchesJson6902": [{"target": {"kind": "Deployment", "name": "api"}, "patch": [
                                {"op": "replace", "path": "/spec/template/spec/containers/0/env/0/name", "value": "API_TOKEN"},
                                {"op": "replace", "path": "/spec/template/spec/containers/0/env/0/value", "value": "R12s02a"}]}]}}),
            &["R12s02a"],
        ),
    ]
}

#[tokio::test]
async fn review12_finding_pair_split_across_patch_operations() {
    let shapes = split_across_operations();
    let mut found = leaks_in_live(&shapes).await;
    let world = approval_world().await;
    let source = shapes[0].1["spec"]["source"].clone();
    found.extend(
        patch_question_shows(
            &world,
            None,
            json!({"spec": {"source": source}}),
            &["R12s01a"],
        )
        .await,
    );
    assert_none(found);
}

/// Held: Helm `--set` pairs in a container's args, the value first, and with `--set-string`.
fn split_pair_held() -> Vec<LiveShape> {
    vec![(
        "args: --set pair with the value first, and --set-string",
        json!({"apiVersion": "batch/v1", "kind": "Job",
                   "metadata": {"name": "r12-s3", "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "helm", "image": "alpine/helm",
                       "args": ["upgrade", "api", "./chart",
                                "--set", "env[0].value=R12s03a", "--set", "env[0].name=DB_PASSWORD",
                                "--set-string", "extraEnv[1].name=API_TOKEN,extraEnv[1].value=R12s03b"]}]}}}}),
        &["R12s03a", "R12s03b"],
    )]
}

#[tokio::test]
async fn review12_split_pair_held() {
    assert_none(leaks_in_live(&split_pair_held()).await);
}
