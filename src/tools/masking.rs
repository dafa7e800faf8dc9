//! What is hidden in the Kubernetes objects the tools pass on (`get_argocd_resource`, the objects
//! of `get_argocd_app_manifests`, the sides of `get_argocd_app_diff`), whatever Argo CD already
//! hid:
//!
//! - `Secret`: every value of `data` and `stringData`.
//! - `Application` and `ApplicationSet` (app-of-apps, generated sets): wherever a source sits in
//!   them (spec, `sources`, templates, generators' templates, status and history copies), Helm
//!   `values` text ([`values_text`]), `valuesObject` entries and `parameters`, plugin `env`,
//!   `parameters` and the entries of `map` parameters, and Jsonnet `extVars`/`tlas`, when their
//!   name looks like a credential ([`looks_like_credential`]); in an ApplicationSet's generators,
//!   `list` `elements` (and `elementsYaml`), any generator's `values` and a `plugin` generator's
//!   input parameters, by key.
//! - any kind, wherever it sits ([`mask_credential_fields`]): a value under a key that names a
//!   credential (a ConfigMap's `data` and `binaryData` entries, annotations, a custom
//!   resource's fields), every value under Grafana's `secureJsonData`, the value of an entry
//!   whose `name`, `key`, `type` or other name field ([`PAIR_NAMES`], in any case) looks like a
//!   credential's name, whatever fields sit between ([`PAIR_VALUES`]: container `env`, probe
//!   `httpHeaders`, Tekton params' `default`, CloudFormation's `ParameterValue`), also
//!   given field by field ([`field_by_field`]: Helm `--set` arguments, two parameters, two keys
//!   of a map), the `value` of a JSON patch operation whose `path` ends at a credential's name
//!   and what a patch of a Secret writes into its data ([`json_patch`]), and the argument after
//!   a credential flag in `args`/`command`; in the External Secrets Operator's kinds, the names
//!   of keys (`secretKey`, `remoteKey`) are kept;
//! - any kind: a string that is a document of its own (JSON text, YAML on several lines), read
//!   as what it is ([`mask_embedded_document`]);
//! - `List` kinds: each item as the object it is; and any object held whole inside another
//!   kind's fields (an Application in a Crossplane `Object`'s `manifest`, a Secret in a
//!   wrapper's template) as the object it is ([`mask_embedded_objects`]).
//! - any kind: the annotations that hold the whole object again (`last-applied-configuration`,
//!   wrangler's, kapp's, Banzai Cloud's: [`WHOLE_OBJECT_ANNOTATIONS`]) and any annotation
//!   holding base64 of gzip or zip; in the External Secrets Operator's kinds, the `fake`
//!   provider's values ([`mask_fake_provider`]).
//!
//! What a name cannot tell is not hidden here: a credential under an innocent key (`dsn`, `url`
//! without userinfo, `extraArgs`) and values files in git (Argo CD only names them). (Every answer's text is also
//! scrubbed as a whole, [`super::scrub`]: `password=…` or a URL's userinfo under an innocent key
//! is caught there.)

mod field_by_field;
mod flow;
mod json_patch;
mod values_text;
mod yaml_operations;

use serde_json::Value;

use field_by_field::{
    mask_paired_assignments, mask_paired_keys, mask_paired_operations, mask_paired_parameters,
};
pub use json_patch::last_named_segment;
pub use values_text::mask_yaml;

/// What replaces every hidden value, whatever Argo CD already masked.
pub const MASK: &str = "***";

/// Annotations that hold the whole object again (a Secret's data with it), as the tool that
/// applied it last wrote it: kubectl's, Rancher wrangler's (gzip+base64: Fleet, Rancher, k3s'
/// helm-controller), kapp's original and its diff, and Banzai Cloud's object matcher's (zip+base64:
/// its operators'). Removed from every kind. (Helm's `meta.helm.sh/…` and Argo CD's tracking
/// annotations name a release or an app, not what was applied.)
const WHOLE_OBJECT_ANNOTATIONS: [&str; 5] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "objectset.rio.cattle.io/applied",
    "kapp.k14s.io/original",
    "kapp.k14s.io/original-diff",
    "banzaicloud.com/last-applied",
];

/// How base64 of gzip (`1f 8b 08`) and of a zip archive (`PK 03 04`) starts: an annotation
/// holding either is a compressed copy of something (another tool's applied object), which no
/// reader can judge.
const COMPRESSED_BASE64: [&str; 2] = ["H4sI", "UEsDB"];

/// Hides what the object's kind can hold: Secret values, the credentials an Application or
/// ApplicationSet passes to Helm, plugins and Jsonnet, a ConfigMap's credential entries and
/// containers' credential env values.
pub fn mask_secrets(object: &mut Value) {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    // `kind: List` (and `SecretList`, …) holds whole objects.
    if kind.ends_with("List")
        && let Some(Value::Array(items)) = object.get_mut("items")
    {
        items.iter_mut().for_each(mask_secrets);
    }
    let argo = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_none_or(|v| v.starts_with("argoproj.io/"));
    match kind.as_str() {
        "Secret" => mask_secret_data(object),
        "Application" | "ApplicationSet" if argo => mask_sources(object),
        _ => mask_embedded_objects(object),
    }
    if let Some(annotations) = object
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        for name in WHOLE_OBJECT_ANNOTATIONS {
            annotations.remove(name);
        }
        for value in annotations.values_mut() {
            if value
                .as_str()
                .is_some_and(|text| COMPRESSED_BASE64.iter().any(|c| text.starts_with(c)))
            {
                *value = Value::from(MASK);
            }
        }
    }
    let names = if external_secrets_kind(object) {
        mask_fake_provider(object);
        &EXTERNAL_SECRETS_KEY_NAMES[..]
    } else {
        &[]
    };
    mask_credential_fields(object, names);
}

/// Objects held whole inside another kind's fields (a Crossplane `Object`'s `manifest`, a
/// wrapper operator's template, a `kind: List`'s items) are masked as what they are: an
/// Application inside another kind holds the same Helm values and plugin input. Only a map
/// with both `apiVersion` and `kind` counts as an object (a resource tree's node names a kind
/// without being one).
fn mask_embedded_objects(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(mask_if_embedded),
        Value::Array(items) => items.iter_mut().for_each(mask_if_embedded),
        _ => {}
    }
}

/// Masks `value` as the object it is when it is one whose kind holds credentials (its own
/// kind's rules walk all of it), or looks further inside it.
fn mask_if_embedded(value: &mut Value) {
    let text = |field: &str| value.get(field).and_then(Value::as_str);
    match (text("apiVersion"), text("kind")) {
        (Some(api), Some("Application" | "ApplicationSet")) if api.starts_with("argoproj.io/") => {
            mask_sources(value)
        }
        (Some(_), Some("Secret")) => {
            mask_secret_data(value);
            mask_embedded_objects(value);
        }
        _ => mask_embedded_objects(value),
    }
}

fn mask_secret_data(object: &mut Value) {
    for key in ["data", "stringData"] {
        if let Some(map) = object.get_mut(key).and_then(Value::as_object_mut) {
            for value in map.values_mut() {
                *value = Value::from(MASK);
            }
        }
    }
}

/// In every kind, wherever it sits: a string or number under a key that names a credential
/// ([`names_a_credential`]: a ConfigMap's `SMTP_PASSWORD`, `binaryData`'s `credentials.json`, an
/// annotation `example.com/api-key`, a custom resource's `secureJsonData.password`); the value
/// of an entry named like one ([`names_its_credential`]: a container's `env`, a probe's
/// `httpHeaders`, parameters); in a list of strings (`args`, `command`), the argument after a
/// flag named like one (`["--db-password", "…"]`) and such an entry given by `--set`; and what
/// documents held in strings nest ([`mask_embedded_document`]).
///
/// `names` are keys that, in this kind, hold the name of a key rather than a credential
/// (an ExternalSecret's `secretKey`); under Grafana's `secureJsonData` every value is a
/// credential, whatever its key ([`SECRETS_ONLY`]).
fn mask_credential_fields(value: &mut Value, names: &[&str]) {
    match value {
        Value::Object(map) => {
            // A Secret held inside another object (a Crossplane `Object`'s manifest, a
            // Template's objects): Argo CD hides only Secrets it manages itself.
            if map.get("kind").and_then(Value::as_str) == Some("Secret") {
                for field in ["data", "stringData"] {
                    if let Some(Value::Object(data)) = map.get_mut(field) {
                        data.values_mut().for_each(|v| *v = Value::from(MASK));
                    }
                }
            }
            mask_paired_keys(map);
            mask_container_command(map);
            json_patch::mask_secret_patch(map);
            mask_json_web_key(map);
            let secret_pair = names_its_credential(map);
            for (key, inner) in map.iter_mut() {
                let a_name = names.contains(&key.as_str());
                if SECRETS_ONLY.contains(&key.as_str()) {
                    mask_every_leaf(inner);
                } else if (secret_pair && is_pair_value(key))
                    || (names_a_credential(key) && !a_name && hides_whole(key, inner))
                {
                    mask_leaves(inner);
                }
                mask_credential_fields(inner, names);
            }
        }
        Value::Array(items) => {
            mask_flag_arguments(items);
            mask_paired_assignments(items);
            mask_paired_parameters(items);
            mask_paired_operations(items);
            json_patch::mask_pairs_across_patches(items);
            // Last: what the finer passes hid stays as they hid it.
            mask_command_line(items);
            items
                .iter_mut()
                .for_each(|item| mask_credential_fields(item, names));
        }
        Value::String(text) => mask_embedded_document(text),
        _ => {}
    }
}

/// A JSON Web Key's private members (RFC 7518: an EC, RSA or OKP key's `d`, RSA's primes and
/// their exponents, a symmetric `oct` key's `k`): one-letter names no name rule can judge, so
/// they are hidden in any object that says it is a key (a `kty` member), as a JWKS mounted for
/// an OIDC provider or a token issuer holds them.
pub const JWK_PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn mask_json_web_key(map: &mut serde_json::Map<String, Value>) {
    if !map.get("kty").is_some_and(Value::is_string) {
        return;
    }
    for (key, inner) in map.iter_mut() {
        if JWK_PRIVATE_MEMBERS.contains(&key.as_str()) {
            *inner = Value::from(MASK);
        }
    }
}

/// A string that is a document of its own (a ConfigMap's `realm.json` or `config.yaml`, an
/// annotation holding JSON), read as what it is so that what it nests is judged too: once in
/// the answer, a YAML block inside a JSON string inside an object is escaped twice, and the
/// text scrubber cannot see its lines.
///
/// - JSON text holding an object or list is masked as an object ([`mask_secrets`]) and, when
///   that hid something, written back (its keys sorted, pretty when it was on several lines);
/// - a YAML flow collection on one line is masked as the object it is ([`flow`]);
/// - text on several lines that reads as YAML is masked by [`values_text`]'s reading.
///
/// Anything else is left to the text scrubber ([`super::scrub`]).
fn mask_embedded_document(text: &mut String) {
    let trimmed = text.trim_start();
    if trimmed.starts_with(['{', '['])
        && let Ok(mut document @ (Value::Object(_) | Value::Array(_))) =
            serde_json::from_str::<Value>(text)
    {
        let before = document.clone();
        mask_secrets(&mut document);
        if document != before {
            // Through `Display`, whose pretty form the component has anyway.
            *text = if text.contains('\n') {
                format!("{document:#}")
            } else {
                document.to_string()
            };
        }
        return;
    }
    // A YAML flow collection on one line (`[{op: add, path: …}, …]`); over several lines,
    // `values_text` reads it.
    if trimmed.starts_with(['{', '['])
        && !text.contains('\n')
        && let Some(masked) = flow::mask_flow(text, mask_secrets)
    {
        *text = masked;
        return;
    }
    if text.contains('\n')
        && let Some(masked) = json_patch::mask_yaml_operations(text, &[])
    {
        *text = masked;
    }
    if text.contains('\n') {
        match values_text::masked_if_yaml(text) {
            Some(masked) => *text = masked,
            // Text this reading cannot place whole that names a Secret and its data may hold
            // a Secret written out: hidden whole (the text scrubber knows no Secret's data).
            None if values_text::mentions_secret_data(text) => *text = MASK.to_owned(),
            None => {}
        }
    }
}

/// The fields that name an entry of a list of named values, in any case (AWS writes `Name`,
/// `Key`): `{name, value}` (env, parameters), `{key, value}` (HTTP headers of Argo Rollouts'
/// web metrics, Istio, AWS tags), `{type, value}` (Keycloak's `credentials`), and an entry
/// named by what it is (`{variable, value}`, `{header, value}`, `{field, value}`, `{id,
/// value}`); also after a word of [`PAIR_KINDS`] ([`is_pair_name`]: CloudFormation's
/// `ParameterKey`, `paramName`, `headerName`).
const PAIR_NAMES: [&str; 8] = [
    "name", "key", "type", "id", "field", "variable", "var", "header",
];

/// The fields that hold a named entry's value, in any case, wherever they sit among its other
/// fields (`description`, `type`): `value` and `values`, a Tekton param's or an Argo Workflows
/// parameter's `default`, a plugin parameter's `string`, `array` and `map`, `text` and `val`;
/// also after a word of [`PAIR_KINDS`] or `default` ([`is_pair_value`]: `defaultValue`,
/// CloudFormation's `ParameterValue`, `headerValue`).
const PAIR_VALUES: [&str; 8] = [
    "value", "values", "default", "string", "array", "map", "text", "val",
];

/// Words that say what kind of entry a pair's field belongs to, before the field's own word
/// (`ParameterKey`/`ParameterValue`, `env_name`, `headerValue`).
const PAIR_KINDS: [&str; 15] = [
    "parameter",
    "param",
    "variable",
    "var",
    "env",
    "header",
    "field",
    "property",
    "prop",
    "option",
    "setting",
    "arg",
    "argument",
    "attribute",
    "attr",
];

/// Whether a field names a named entry ([`PAIR_NAMES`]).
pub(super) fn is_pair_name(field: &str) -> bool {
    is_pair_field(field, &PAIR_NAMES, &[])
}

/// Whether a field holds a named entry's value ([`PAIR_VALUES`]).
pub(super) fn is_pair_value(field: &str) -> bool {
    is_pair_field(field, &PAIR_VALUES, &["default"])
}

/// Whether `field` is one word of `own`, alone or after one word of [`PAIR_KINDS`] or
/// `more_kinds`, in any case and spelling (`ParameterKey`, `parameter_key`, `PARAM-NAME`).
fn is_pair_field(field: &str, own: &[&str], more_kinds: &[&str]) -> bool {
    let among = |word: &str, list: &[&str]| list.iter().any(|w| word.eq_ignore_ascii_case(w));
    let mut parts = words(field);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(only), None, None) => among(only, own),
        (Some(kind), Some(last), None) => {
            (among(kind, &PAIR_KINDS) || among(kind, more_kinds)) && among(last, own)
        }
        _ => false,
    }
}

/// Whether an object is a named entry whose name looks like a credential's
/// (`{name: api-token, type: string, default: …}`, `{ParameterKey: DBPassword, …}`), and not
/// like where one is kept (`{name: DB_PASSWORD_FILE, value: /run/secrets/db}`), or a JSON
/// patch operation whose `path` ends at one (`{op: add, path: /stringData/password, value:
/// …}`). Its other fields (a project role's `policies`, a `description`) are judged by their
/// own keys.
pub(super) fn names_its_credential(entry: &serde_json::Map<String, Value>) -> bool {
    entry.iter().any(|(field, name)| {
        is_pair_name(field)
            && name
                .as_str()
                .is_some_and(|name| looks_like_credential(name) && !names_a_place(name))
    }) || entry
        .get("path")
        .and_then(Value::as_str)
        .is_some_and(json_patch::pointer_names_credential)
}

/// Keys whose every value is a credential by the design of what reads them: Grafana's
/// `secureJsonData` (a datasource's `httpHeaderValue1` is named only by its sibling
/// `jsonData.httpHeaderName1`).
const SECRETS_ONLY: [&str; 1] = ["secureJsonData"];

/// In the External Secrets Operator's kinds, these keys name a key of the Secret it writes
/// (`secretKey: DB_PASSWORD`) or of the provider (`remoteKey`), never hold a credential; the
/// credentials sit in the provider, which these objects only point to.
const EXTERNAL_SECRETS_KEY_NAMES: [&str; 2] = ["secretKey", "remoteKey"];

/// The External Secrets Operator's `fake` provider (a `SecretStore`'s or
/// `ClusterSecretStore`'s `spec.provider.fake`) holds the secrets it serves themselves, as
/// `data: [{key: /path, value: …}, {key: /path, valueMap: {…}}]`, under keys that are paths: every
/// `value` and `valueMap` leaf is hidden, the paths and versions kept.
fn mask_fake_provider(object: &mut Value) {
    let Some(Value::Array(entries)) = object.pointer_mut("/spec/provider/fake/data") else {
        return;
    };
    for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
        for field in ["value", "valueMap"] {
            if let Some(inner) = entry.get_mut(field) {
                mask_every_leaf(inner);
            }
        }
    }
}

fn external_secrets_kind(object: &Value) -> bool {
    object
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("external-secrets.io/"))
}

/// Every string and number at any depth.
fn mask_every_leaf(value: &mut Value) {
    match value {
        Value::String(_) | Value::Number(_) => *value = Value::from(MASK),
        Value::Array(items) => items.iter_mut().for_each(mask_every_leaf),
        Value::Object(map) => map.values_mut().for_each(mask_every_leaf),
        _ => {}
    }
}

/// What a credential's key holds: a string or number, a list of them (`apiKeys: [...]`), or a
/// map of them (`apiKeys: {stripe: …}`, an Istio header match `x-api-key: {exact: …}`,
/// `adminPassword: {value: …}`, `auth: {basic: …}`). In a map, what a key names as a place or
/// an identifier is kept (`secret: {secretName: db}`, `existingSecret`, `secretKeyRef`, a
/// project token's `id`), and so is a number under a key that names a setting
/// (`passwordPolicy: {minLength: 12}`, a token's `expirationSeconds`).
fn mask_leaves(value: &mut Value) {
    match value {
        Value::String(_) | Value::Number(_) => *value = Value::from(MASK),
        Value::Array(items) => items.iter_mut().for_each(mask_leaves),
        Value::Object(map) => mask_map_of_credentials(map),
        _ => {}
    }
}

/// A map under a credential's key ([`mask_leaves`]): its strings and numbers at any depth,
/// but settings' numbers.
fn mask_map_of_credentials(map: &mut serde_json::Map<String, Value>) {
    for (key, inner) in map.iter_mut() {
        if key == "value" {
            mask_leaves(inner);
        } else if !(names_a_place(key) || names_an_identifier(key)) {
            let setting = names_a_setting(key);
            match inner {
                Value::String(_) => *inner = Value::from(MASK),
                Value::Number(_) if !setting => *inner = Value::from(MASK),
                Value::Array(items) => items
                    .iter_mut()
                    .filter(|item| !(setting && item.is_number()))
                    .for_each(mask_leaves),
                Value::Object(nested) => mask_map_of_credentials(nested),
                _ => {}
            }
        }
    }
}

/// Whether one of a key's words says it holds a setting or a time, whose number is no
/// credential (`minLength`, `expirationSeconds`, `ttl`, `maxAge`, a token's `iat`).
fn names_a_setting(key: &str) -> bool {
    const SETTINGS: [&str; 31] = [
        "min",
        "max",
        "length",
        "size",
        "count",
        "ttl",
        "seconds",
        "minutes",
        "hours",
        "days",
        "age",
        "expiry",
        "expires",
        "expiration",
        "timeout",
        "interval",
        "retries",
        "attempts",
        "version",
        "port",
        "bits",
        "rounds",
        "iterations",
        "limit",
        "iat",
        "exp",
        "nbf",
        "at",
        "time",
        "timestamp",
        "date",
    ];
    words(key).any(|word| SETTINGS.iter().any(|s| word.eq_ignore_ascii_case(s)))
}

/// Whether a key's last word says it holds an identifier (`id`, `clientId`, `keyIds`), which
/// names a credential rather than being one.
fn names_an_identifier(key: &str) -> bool {
    words(key)
        .last()
        .is_some_and(|last| last.eq_ignore_ascii_case("id") || last.eq_ignore_ascii_case("ids"))
}

/// A key whose value is a credential: it looks like one and does not say where one is kept
/// (`secretName`, `passwordSecretRef`, `tokenFile`), which key of a Secret (`key`) or which
/// entry a pair is ([`is_pair_name`]: `ParameterKey`).
pub fn names_a_credential(key: &str) -> bool {
    looks_like_credential(key) && !is_pair_name(key) && !names_a_place(key)
}

/// Whether a name's last word says it names where a credential is, or how one is used, not
/// the credential (`secretName`, `passwordSecretRef`, `tokenFile`, `authMode`, `tokenType`,
/// `existingSecret`).
pub fn names_a_place(name: &str) -> bool {
    const PLACES: [&str; 15] = [
        "name",
        "names",
        "ref",
        "namespace",
        "file",
        "path",
        "dir",
        "stdin",
        "env",
        "kind",
        "type",
        "mode",
        "method",
        "url",
        "uri",
    ];
    // Bitnami's charts name the Secret to use `existingSecret`, and its keys under it.
    // …and Vault's injector names by annotation where a secret is read from
    // (`vault.hashicorp.com/agent-inject-secret-db: database/creds/app`).
    let place_word = |word: &str| {
        ["existing", "inject"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
    };
    if words(name).any(place_word) {
        return true;
    }
    words(name)
        .last()
        .is_some_and(|last| PLACES.iter().any(|p| last.eq_ignore_ascii_case(p)))
}

/// `["--db-password", "…"]`: the item after a flag (without `=`) named like a credential.
fn mask_flag_arguments(items: &mut [Value]) {
    let mut masks_next = false;
    for item in items.iter_mut() {
        let Value::String(text) = item else {
            masks_next = false;
            continue;
        };
        if masks_next && !text.starts_with('-') {
            *item = Value::from(MASK);
            masks_next = false;
            continue;
        }
        let flag = text.strip_prefix("--").or_else(|| text.strip_prefix('-'));
        masks_next = flag.is_some_and(|name| {
            name.len() > 1
                && !name.contains('=')
                && looks_like_credential(name)
                && !names_a_place(name)
        });
    }
}

/// A command given as a list, one argument an item (a container's `command` and `args`, a
/// probe's `exec.command`): read as the command line it stands for, so the text rules that know
/// a command's password flags (`redis-cli -a`, `mysqladmin -p…`, `sshpass -p`, `curl -u`) read
/// the command and its arguments together. A list of more than [`WINDOW_ITEMS`] items or
/// [`WINDOW_MOST`] bytes is read in windows of [`SHORT_WINDOW_MOST`] bytes, each after the
/// command's name and overlapping the one before by half: every item is read with its
/// neighbours and within the rules' reach of the command's name, and the work stays linear in
/// the list's length.
fn mask_command_line(items: &mut [Value]) {
    if items.len() < 2 || !items.iter().all(Value::is_string) {
        return;
    }
    let words: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    // The command's name (`redis-cli`, `rabbitmqctl add_user`): the first items up to a flag,
    // while short, which name the command every window's items belong to.
    let mut head_len = 0;
    let head = words
        .iter()
        .take(HEAD_ITEMS)
        .take_while(|w| {
            head_len += w.len() + 1;
            !w.starts_with('-') && head_len <= HEAD_MOST
        })
        .count();
    let head_len: usize = words[..head].iter().map(|w| w.len() + 1).sum();
    let total: usize = words.iter().map(|w| w.len() + 1).sum();
    let budget = if words.len() <= WINDOW_ITEMS && total <= WINDOW_MOST {
        WINDOW_MOST
    } else {
        SHORT_WINDOW_MOST
    };
    let mut hidden = vec![false; words.len()];
    let mut start = 0;
    loop {
        let mut len = if start == 0 { 0 } else { head_len };
        let mut end = start;
        while end < words.len()
            && (end == start || (end - start < WINDOW_ITEMS && len + words[end].len() < budget))
        {
            len += words[end].len() + 1;
            end += 1;
        }
        let window: Vec<usize> = (0..if start == 0 { 0 } else { head })
            .chain(start..end)
            .collect();
        mark_hidden(&words, &window, &mut hidden);
        if end == words.len() {
            break;
        }
        start = (start + (end - start).div_ceil(2)).max(head);
    }
    for (item, hidden) in items.iter_mut().zip(hidden) {
        if hidden {
            *item = Value::from(MASK);
        }
    }
}

/// The most items of a command list read as one line.
const WINDOW_ITEMS: usize = 256;
/// The most bytes of a command list read as one line.
const WINDOW_MOST: usize = 16 * 1024;
/// The bytes of each window of a longer list, its command's name included: as far as the rules
/// look back on a line for the command a flag belongs to (an item longer is read alone after
/// the command's name; the answer's scrubbing reads it too).
const SHORT_WINDOW_MOST: usize = 256;
/// The most items, and bytes, of a command's name read before every window of a long list.
const HEAD_ITEMS: usize = 4;
const HEAD_MOST: usize = 64;

/// Where `after` differs from `before`: from the first byte that differs to past the last, in
/// `before` (at least one byte).
fn changed_span(before: &[u8], after: &[u8]) -> (usize, usize) {
    let same_start = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    let most_end = before.len().min(after.len()) - same_start;
    let same_end = before
        .iter()
        .rev()
        .zip(after.iter().rev())
        .take(most_end)
        .take_while(|(a, b)| a == b)
        .count();
    (same_start, (before.len() - same_end).max(same_start + 1))
}

/// Reads the items of `words` at `window` as one command line: marks in `hidden` every item
/// holding part of what the rules hide in it (between the first and the last change, so two
/// hidden places mask what lies between too), unless the rules hide all of that part when they
/// read the item alone (the answer's scrubbing then hides just its value): an item whose head
/// only the whole line shows to be a password (`-a` then `PW&token=…`) is masked whole.
fn mark_hidden(words: &[&str], window: &[usize], hidden: &mut [bool]) {
    let line = window
        .iter()
        .map(|n| words[*n])
        .collect::<Vec<_>>()
        .join(" ");
    let std::borrow::Cow::Owned(clean) = crate::tools::without_credentials(&line) else {
        return;
    };
    let (start, end) = changed_span(line.as_bytes(), clean.as_bytes());
    let mut at = 0;
    for n in window {
        let word = words[*n];
        let (word_start, word_end) = (at, at + word.len());
        at = word_end + 1;
        if word_start >= end || word_end < start {
            continue;
        }
        // The part of the item the line's change covers, and the part its own change does.
        let (from, to) = (
            start.saturating_sub(word_start),
            end.min(word_end) - word_start,
        );
        let covered = match crate::tools::without_credentials(word) {
            std::borrow::Cow::Owned(alone) => {
                let (alone_from, alone_to) = changed_span(word.as_bytes(), alone.as_bytes());
                alone_from <= from && alone_to >= to
            }
            std::borrow::Cow::Borrowed(_) => false,
        };
        hidden[*n] |= !covered;
    }
}

/// A container's `command` and `args`, which Kubernetes runs as one command line (`["mongosh"]`
/// then `["-u", "admin", "-p", "…"]`): read together ([`mask_command_line`]).
fn mask_container_command(map: &mut serde_json::Map<String, Value>) {
    let (Some(Value::Array(command)), Some(Value::Array(args))) =
        (map.get("command"), map.get("args"))
    else {
        return;
    };
    let mut line: Vec<Value> = command.iter().chain(args).cloned().collect();
    let split = command.len();
    mask_command_line(&mut line);
    let args = line.split_off(split);
    map.insert("command".into(), Value::Array(line));
    map.insert("args".into(), Value::Array(args));
}

/// Every source of an Application or ApplicationSet, wherever it sits: any object with a
/// `helm`, `plugin` or `directory` part.
fn mask_sources(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(helm) = map.get_mut("helm").and_then(Value::as_object_mut) {
                if let Some(Value::String(values)) = helm.get_mut("values") {
                    *values = mask_yaml(values);
                }
                if let Some(object) = helm.get_mut("valuesObject") {
                    mask_by_key(object);
                }
                // `values` may also come as an object (older clients wrote it so).
                if let Some(object @ Value::Object(_)) = helm.get_mut("values") {
                    mask_by_key(object);
                }
                // Pairs given field by field first: a `x.key` parameter naming the entry is
                // masked by its own name below.
                if let Some(Value::Array(parameters)) = helm.get_mut("parameters") {
                    mask_paired_parameters(parameters);
                }
                mask_named(helm.get_mut("parameters"), &["value"]);
            }
            if let Some(plugin) = map.get_mut("plugin").and_then(Value::as_object_mut) {
                if let Some(Value::Array(parameters)) = plugin.get_mut("parameters") {
                    mask_paired_parameters(parameters);
                }
                mask_named(plugin.get_mut("env"), &["value"]);
                mask_named(plugin.get_mut("parameters"), &["string", "array", "map"]);
                // A `map` parameter is named as a whole (`values`); its own keys can be
                // credentials (`db.password`).
                if let Some(Value::Array(parameters)) = plugin.get_mut("parameters") {
                    for parameter in parameters {
                        if let Some(entries) = parameter.get_mut("map") {
                            mask_by_key(entries);
                        }
                    }
                }
            }
            if let Some(Value::Array(generators)) = map.get_mut("generators") {
                generators.iter_mut().for_each(mask_generator);
            }
            if let Some(jsonnet) = map
                .get_mut("directory")
                .and_then(|d| d.get_mut("jsonnet"))
                .and_then(Value::as_object_mut)
            {
                for list in ["extVars", "tlas"] {
                    mask_named(jsonnet.get_mut(list), &["value"]);
                }
            }
            map.values_mut().for_each(mask_sources);
        }
        Value::Array(items) => items.iter_mut().for_each(mask_sources),
        _ => {}
    }
}

/// What an ApplicationSet generator feeds its template by key: `list` elements (as objects or
/// as `elementsYaml` text), the `values` every generator may add (`clusters` among them), and
/// a `plugin` generator's input parameters. Nested generators (`matrix`, `merge`) are reached
/// by [`mask_sources`]' walk.
fn mask_generator(generator: &mut Value) {
    let Some(kinds) = generator.as_object_mut() else {
        return;
    };
    for body in kinds.values_mut().filter_map(Value::as_object_mut) {
        for field in ["elements", "values"] {
            if let Some(entries) = body.get_mut(field) {
                mask_by_key(entries);
            }
        }
        if let Some(Value::String(text)) = body.get_mut("elementsYaml") {
            *text = mask_yaml(text);
        }
        if let Some(parameters) = body.get_mut("input").and_then(|i| i.get_mut("parameters")) {
            mask_by_key(parameters);
        }
    }
}

/// In a list of `{name, …}` entries, the given fields of those whose name looks like a credential.
fn mask_named(list: Option<&mut Value>, fields: &[&str]) {
    let Some(Value::Array(entries)) = list else {
        return;
    };
    for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
        let secret = entry
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(looks_like_credential);
        if secret {
            for field in fields {
                if let Some(value) = entry.get_mut(*field) {
                    *value = Value::from(MASK);
                }
            }
        }
    }
}

/// Entries of a values object whose key looks like a credential, at any depth.
fn mask_by_key(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if looks_like_credential(key) && hides_whole(key, inner) {
                    *inner = Value::from(MASK);
                } else {
                    mask_by_key(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_by_key),
        _ => {}
    }
}

/// Whether a name looks like it holds a credential: it contains `password`, `passwd`,
/// `passphrase`, `passcode`, `token`, `secret`, `credential`, `apikey`, `private` or `mnemonic`
/// (or another language's word for a password, [`PASSWORD_SPELLINGS`]), or one of its words is
/// `key`, `auth`, `authorization`, `bearer`, `cookie`, `creds`, `pass`, `pwd` or `pw` (words
/// split at `.`, `_`, `-`, spaces and lower-to-upper case changes, so `apiKey`, `api_key`,
/// `AUTH_HEADER`, `DB_PW` match and `keycloakUrl`, `keyboard`, `author`, `monkey`,
/// `passthrough` do not), or it ends with a word that names a credential only as one value
/// ([`names_a_credential_value`]: `sig`, `SESSION`, `jwt`, `TOTP_SEED`). A name that only
/// contains a word (`tokenizer`, `secretName`) is taken for a credential too: a harmless value
/// hidden costs less than a credential shown.
pub fn looks_like_credential(name: &str) -> bool {
    names_credential_parts(name) || names_a_credential_value(name)
}

/// Whether a credential's name hides `value` whole: a map under a name that holds a credential
/// only as one value holds settings (`session: {timeout: 30m, secret: …}`), each judged by its
/// own key.
fn hides_whole(name: &str, value: &Value) -> bool {
    !value.is_object() || names_credential_parts(name)
}

/// Whether what a name holds is a credential or its parts, a map under it included
/// (`auth: {basic: …}`, `apiKeys: {stripe: …}`): [`looks_like_credential`] but for the words that
/// name a credential only as one value.
fn names_credential_parts(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // SSSD's `ldap_default_authtok`, PAM's `authtok`: an authentication token.
    const INSIDE: [&str; 12] = [
        "authtok",
        "masterauth",
        "password",
        "passwd",
        "passphrase",
        "passcode",
        "token",
        "secret",
        "credential",
        "apikey",
        "private",
        // A wallet's recovery phrase (BIP-39), which is its private key.
        "mnemonic",
    ];
    if INSIDE.iter().any(|word| lower.contains(word)) {
        return true;
    }
    // Read with its separators dropped, so `mot_de_passe` reads as `motdepasse`.
    let run_together: String = lower
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .collect();
    if PASSWORD_SPELLINGS
        .iter()
        .any(|word| run_together.contains(word))
    {
        return true;
    }
    // `psk`: a pre-shared key (wpa_supplicant's `psk=`, hostapd's `wpa_psk`).
    const WORDS: [&str; 10] = [
        "key",
        "psk",
        "auth",
        "authorization",
        "bearer",
        "cookie",
        "creds",
        "pass",
        "pwd",
        "pw",
    ];
    if name_words(name).any(|word| WORDS.contains(&word.to_ascii_lowercase().as_str())) {
        return true;
    }
    // Keys of a credential's kind, as a word after the kind: `API_KEYS`, `serviceKeys`,
    // `unseal_keys_b64`; not `keys` alone (a JSON Web Key Set's public keys) nor
    // `authorizedKeys`.
    let mut kind = "";
    for word in name_words(name) {
        if word.eq_ignore_ascii_case("keys") && is_key_kind(kind) {
            return true;
        }
        kind = word;
    }
    // Run together with another word: `requirepass`, `storepass`, `DBPASS`, `ROOTPW`,
    // `masterauth` (Redis, keytool, env files); not `bypass`, `compass`, `oauth`.
    const ENDINGS: [&str; 3] = ["pass", "pwd", "pw"];
    const NOT: [&str; 5] = ["bypass", "compass", "overpass", "underpass", "trespass"];
    name_words(name).any(|word| {
        let word = word.to_ascii_lowercase();
        let run_together_pass = ENDINGS
            .iter()
            .any(|ending| word.ends_with(ending) && word.len() > ending.len())
            && !NOT.contains(&word.as_str());
        run_together_pass
            || is_run_together_key(&word)
            || word.strip_suffix('s').is_some_and(is_run_together_key)
    })
}

/// A password's common misspellings and other languages' words for it (German `Passwort` and
/// `Kennwort`, French `mot de passe`, Spanish `contraseña` (`contrase` holds its spellings with
/// and without the tilde, in either case), Dutch `wachtwoord`), found inside a name with its
/// separators dropped.
const PASSWORD_SPELLINGS: [&str; 7] = [
    "pswd",
    "passw0rd",
    "passwort",
    "kennwort",
    "motdepasse",
    "contrase",
    "wachtwoord",
];

/// Last words of a name that hold a credential as one value, and only then: personal access
/// tokens and PINs, signed URLs' signatures (Azure SAS `sig`, S3 `X-Amz-Signature`), sessions,
/// JSON Web Tokens and HMACs by those names, one-time passwords and their seeds. The text rules hide the query parameters of
/// these names too, so a name means the same wherever it stands. As a word elsewhere in a name
/// they name a setting (`sessionAffinity`, `signatureVersion`, `jwtIssuer`, `otpLength`), and a
/// map under them holds settings (`session: {timeout: 30m}`): it is judged key by key.
const CREDENTIAL_VALUE_WORDS: [&str; 16] = [
    // A personal access token (`GITHUB_PAT`, the Azure DevOps CLI's `AZURE_DEVOPS_EXT_PAT`) and
    // a PIN (`PKCS11_PIN`, SoftHSM's `HSM_SO_PIN`); as a word elsewhere (`pinDigests`) no
    // credential.
    "pat",
    "pats",
    "pin",
    "pins",
    "sig",
    "signature",
    "session",
    "sessionid",
    "sessid",
    "jsessionid",
    "phpsessid",
    "jwt",
    "hmac",
    "otp",
    "totp",
    "hotp",
];

/// Pairs of last words that hold a credential as one value: `session_id`, a one-time
/// password's seed (`TOTP_SEED`, `mfaSeed`), recovery codes and phrases (`recovery_codes`,
/// `seedPhrase`).
const CREDENTIAL_VALUE_PAIRS: [(&[&str], &[&str]); 4] = [
    (&["session"], &["id"]),
    (&["otp", "totp", "hotp", "mfa", "2fa"], &["seed"]),
    (&["recovery", "backup"], &["code", "codes"]),
    (&["seed", "recovery"], &["phrase"]),
];

/// Whether a name's last word, or last two words, name a credential held as one value
/// ([`CREDENTIAL_VALUE_WORDS`], [`CREDENTIAL_VALUE_PAIRS`]).
fn names_a_credential_value(name: &str) -> bool {
    let mut last_two = [""; 2];
    for word in name_words(name) {
        last_two = [last_two[1], word];
    }
    let is = |word: &str, list: &[&str]| list.iter().any(|w| word.eq_ignore_ascii_case(w));
    is(last_two[1], &CREDENTIAL_VALUE_WORDS)
        || CREDENTIAL_VALUE_PAIRS
            .iter()
            .any(|(first, last)| is(last_two[0], first) && is(last_two[1], last))
}

/// Credentials' kinds that `key` follows, run together or as the word before (`masterkey`,
/// `API_KEYS`).
const KEY_KINDS: [&str; 33] = [
    // PagerDuty's integration keys (`serviceKeys`), Vault's unseal keys.
    "service",
    "unseal",
    "master",
    "app",
    "api",
    "auth",
    "ssh",
    "gpg",
    "pgp",
    "access",
    "secret",
    "signing",
    "sign",
    "encryption",
    "encrypt",
    "enc",
    "crypt",
    "cipher",
    "session",
    "license",
    "licence",
    "client",
    "admin",
    "root",
    "shared",
    "preshared",
    "deploy",
    "hmac",
    "jwt",
    "ssl",
    "tls",
    "priv",
    "private",
];

/// A lower-case word that is a credential's kind run together with `key` or `auth`:
/// `masterkey` (Parse Server), `accesskey`, `privkey`, `authkey` (`TS_AUTHKEY`), `deploykey`,
/// `presharedkey`, `basicauth`, `apiauth`. Only these kinds: most words ending in `key` are not
/// credentials (`monkey`, `hotkey`, `routingkey`, `primarykey`, `sortkey`), nor is `oauth`.
/// Objects and text share the list, so a name means the same wherever it stands.
fn is_run_together_key(word: &str) -> bool {
    const AUTH_KINDS: [&str; 6] = ["basic", "proxy", "http", "master", "api", "digest"];
    word.strip_suffix("key").is_some_and(is_key_kind)
        || word
            .strip_suffix("auth")
            .is_some_and(|kind| AUTH_KINDS.contains(&kind))
}

/// Whether `word` (any case) is a credential's kind that `key` follows ([`KEY_KINDS`]).
fn is_key_kind(word: &str) -> bool {
    KEY_KINDS.iter().any(|kind| word.eq_ignore_ascii_case(kind))
}

/// The words of a name as a credential's name is read: each without the number it ends with
/// (`API_KEY2`, `AZURE_STORAGE_KEY1`, `GITHUB_PAT2`, `DB_PASS2`, `key2b`, `db_pass2x` number a
/// credential), none of digits alone.
fn name_words(name: &str) -> impl Iterator<Item = &str> {
    words(name)
        .map(|word| {
            let letters = word
                .bytes()
                .rev()
                .take_while(u8::is_ascii_alphabetic)
                .count();
            // A number and at most two letters after it (`2b`), else the digits it ends with.
            let numbered = &word[..word.len() - letters];
            let bare = numbered.trim_end_matches(|c: char| c.is_ascii_digit());
            if letters <= 2 && bare.len() < numbered.len() {
                bare
            } else {
                word.trim_end_matches(|c: char| c.is_ascii_digit())
            }
        })
        .filter(|word| !word.is_empty())
}

/// The words of a name: split at non-alphanumerics and where a lower-case letter or digit is
/// followed by an upper-case one.
pub(crate) fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut cuts = Vec::new();
    let bytes = name.as_bytes();
    let mut start = 0;
    for i in 0..bytes.len() {
        let b = bytes[i];
        if !b.is_ascii_alphanumeric() {
            cuts.push((start, i));
            start = i + 1;
        } else if i > start && b.is_ascii_uppercase() && !bytes[i - 1].is_ascii_uppercase() {
            cuts.push((start, i));
            start = i;
        }
    }
    cuts.push((start, bytes.len()));
    cuts.into_iter()
        .filter(|(a, b)| b > a)
        .map(move |(a, b)| &name[a..b])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The twenty-third review: a command given as a list has its password arguments masked as
    /// its command line would, and only those; a list that is no command keeps its items.
    /// Review31 S2: a JSON Web Key's private members in any object holding `kty`, as an object
    /// and as JSON text in a ConfigMap; the public members stay, and a `d` elsewhere too.
    #[test]
    fn a_json_web_keys_private_members_are_masked() {
        let mut object = serde_json::json!({"kind": "SigningKeys", "spec": {"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": "11qY", "d": "EdPrivate"},
            {"kty": "RSA", "n": "0vx7", "e": "AQAB", "d": "D", "p": "P", "q": "Q",
                "dp": "DP", "dq": "DQ", "qi": "QI", "oth": [{"r": "R", "d": "D2", "t": "T"}]},
            {"kty": "oct", "k": "Sym"},
        ], "d": "2024-01-01"}});
        mask_secrets(&mut object);
        let keys = &object["spec"]["keys"];
        assert_eq!(keys[0]["d"], MASK);
        assert_eq!(keys[0]["x"], "11qY");
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
            assert_eq!(keys[1][member], MASK, "{member}");
        }
        assert_eq!(keys[1]["n"], "0vx7");
        assert_eq!(keys[2]["k"], MASK);
        assert_eq!(object["spec"]["d"], "2024-01-01");
        let mut config_map = serde_json::json!({"kind": "ConfigMap", "data": {
            "jwks.json": r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE","d":"EcPrivate"}]}"#}});
        mask_secrets(&mut config_map);
        let text = config_map["data"]["jwks.json"].as_str().unwrap();
        assert!(
            !text.contains("EcPrivate") && text.contains("f83O"),
            "{text}"
        );
    }

    #[test]
    fn a_command_list_is_read_as_its_command_line() {
        for (command, secret) in [
            (json!(["redis-cli", "-a", "R3dis", "ping"]), "R3dis"),
            (json!(["mysqladmin", "-uroot", "-pMy5ql", "ping"]), "My5ql"),
            (json!(["sshpass", "-p", "Ssh9", "rsync", "a", "b"]), "Ssh9"),
            (
                json!(["ldapsearch", "-x", "-w", "Ld4p", "-b", "dc=x"]),
                "Ld4p",
            ),
            (
                json!(["curl", "-u", "admin:Cu7l", "http://x/health"]),
                "Cu7l",
            ),
            (
                json!(["sqlcmd", "-S", "db", "-P", "Sq1cmd", "-Q", "select 1"]),
                "Sq1cmd",
            ),
        ] {
            let mut items = command.clone();
            mask_command_line(items.as_array_mut().unwrap());
            let text = items.to_string();
            assert!(!text.contains(secret), "{command} -> {text}");
            assert_eq!(items[0], command[0], "{text}");
            assert_eq!(
                items.as_array().unwrap().last(),
                command.as_array().unwrap().last()
            );
        }
        let mut container = json!({"name": "init", "command": ["mongosh"],
            "args": ["--host", "db", "-u", "admin", "-p", "M0ngo", "--eval", "1"]});
        mask_container_command(container.as_object_mut().unwrap());
        assert!(!container.to_string().contains("M0ngo"), "{container}");
        assert_eq!(container["command"], json!(["mongosh"]));
        assert_eq!(container["args"][0], "--host");
        let mut kept = json!(["kubernetes.io/pvc-protection", "argocd", "a b", "-v", "2"]);
        let before = kept.clone();
        mask_command_line(kept.as_array_mut().unwrap());
        assert_eq!(kept, before);
    }

    /// The twenty-fourth review (L1b): a list longer than one window is read in overlapping
    /// windows after the command's name; an item whose head only the whole line shows to be a
    /// password is masked whole though the rules change its tail alone.
    #[test]
    fn long_command_lists_and_items_changed_alone_lose_their_passwords() {
        let mut long = vec![
            json!("redis-cli"),
            json!("-a"),
            json!("L1bHead"),
            json!("del"),
        ];
        long.extend((0..600).map(|i| json!(format!("key{i}"))));
        long.extend([json!("-a"), json!("L1bLate"), json!("ping")]);
        let mut items = long.clone();
        mask_command_line(&mut items);
        let text = Value::Array(items.clone()).to_string();
        assert!(
            !text.contains("L1bHead") && !text.contains("L1bLate"),
            "{text}"
        );
        // Only the passwords: the keys, the flags and the command stay.
        let masked: Vec<usize> = (0..items.len()).filter(|n| items[*n] != long[*n]).collect();
        assert_eq!(masked, vec![2, long.len() - 2], "{text}");
        // An item longer than a window does not keep the rest of the list from being read.
        let big = "x".repeat(20_000);
        let mut items = vec![json!("redis-cli"), json!(big), json!("-a"), json!("L1bBig")];
        mask_command_line(&mut items);
        assert_eq!(items[1], json!(big));
        assert_eq!(items[3], MASK);
        for (list, secret) in [
            (
                json!(["redis-cli", "-a", "L1bEx&token=tail1234", "ping"]),
                "L1bEx",
            ),
            (
                json!(["sshpass", "-p", "L1bSsh&password=x", "ssh"]),
                "L1bSsh",
            ),
        ] {
            let mut items = list.clone();
            mask_command_line(items.as_array_mut().unwrap());
            assert!(!items.to_string().contains(secret), "{items}");
            assert_eq!(items[0], list[0]);
        }
        // An item the rules hide the same way alone keeps what they keep.
        let mut header = json!(["curl", "-H", "Authorization: Bearer abcdef123456", "x"]);
        mask_command_line(header.as_array_mut().unwrap());
        assert_eq!(header[1], "-H");
        assert!(
            header[2].as_str().unwrap().starts_with("Authorization"),
            "{header}"
        );
        // A long list that is no command keeps every item, in linear time.
        let mut plain: Vec<Value> = (0..100_000).map(|i| json!(format!("k{i}"))).collect();
        let before = plain.clone();
        mask_command_line(&mut plain);
        assert_eq!(plain, before);
    }

    /// The fifteenth review: text the YAML reading cannot place, holding a Secret written out.
    #[test]
    fn text_unplaced_that_names_a_secret_and_its_data_is_hidden() {
        let mut map = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {
            "objects.yaml": "--- {a: b}\napiVersion: v1\nkind: Secret\nstringData:\n  conn: M-1\n",
            "notes": "line one\nline two: kept\n--- {a: b}\n"}});
        mask_secrets(&mut map);
        assert_eq!(map["data"]["objects.yaml"], MASK);
        assert!(map.to_string().contains("kept"), "{map}");
    }

    #[test]
    fn secrets_are_masked_whatever_the_server_sent() {
        let mut secret = json!({"kind": "Secret", "data": {"PASSWORD": "aHVudGVyMg=="}, "stringData": {"TOKEN": "plain"}, "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"PASSWORD\":\"aHVudGVyMg==\"}}"}}});
        mask_secrets(&mut secret);
        let text = secret.to_string();
        assert!(
            !text.contains("aHVudGVyMg") && !text.contains("plain"),
            "{text}"
        );
        assert_eq!(secret["data"]["PASSWORD"], MASK);
    }

    #[test]
    fn credential_words_run_together_still_name_credentials() {
        for name in [
            "requirepass",
            "storepass",
            "DBPASS",
            "SMTPPass",
            "MYSQL_ROOTPW",
            "masterauth",
            "dbpwd",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in ["bypass", "compass", "oauth", "passthrough", "passive"] {
            assert!(!looks_like_credential(name), "{name}");
        }
        for name in [
            "masterkey",
            "MASTERKEY",
            "parse.masterkey",
            "accesskey",
            "sslkey",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in [
            "monkey",
            "hotkey",
            "routingkey",
            "primarykey",
            "sortkey",
            "turnkey",
        ] {
            assert!(!looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn credential_names_are_told_from_ordinary_ones() {
        for name in [
            "password",
            "DB_PASSWORD",
            "adminPasswd",
            "apiKey",
            "api_key",
            "APIKEY",
            "github.token",
            "authToken",
            "AUTH_HEADER",
            "auth",
            "clientSecret",
            "existingSecret",
            "credentials",
            "aws.credential",
            "privateKey",
            "ssh-private-key",
            "key",
            "tls.key",
            "pass",
            "REDIS_PWD",
            "passphrase",
            "sshPassphrase",
            "GPG_PASSCODE",
            "Authorization",
            "session_cookie",
            "dbCreds",
            "DB_PW",
            "bearer",
            "apiKeys",
            "accessKey",
            "API_KEYS",
            "serviceKeys",
            "unseal_keys_b64",
            "deploykeys",
            "GITHUB_PAT",
            "hsmPin",
            "API_KEY2",
            "AZURE_STORAGE_KEY1",
            "GITHUB_PAT2",
            "DB_PASS2",
            "key2b",
            "db_pass2x",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in [
            "replicas",
            "image.tag",
            "keycloakUrl",
            "author",
            "monkey",
            "hostname",
            "passthrough",
            "LOG_LEVEL",
            "keyboard",
            "keys",
            "authorizedKeys",
            "publicKeys",
            "pinDigests",
            "path",
            "ipv4",
            "http2",
            "k8s",
            "sha256sum",
            "oauth2",
            "x509v3",
            "authority",
            "passive",
            "power",
            "",
        ] {
            assert!(!looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn applications_and_sets_lose_credentials_wherever_a_source_sits() {
        let source = json!({
            "repoURL": "https://charts.example.com",
            "chart": "api",
            "helm": {
                "values": "db:\n  password: VALUES-PW\n",
                "valuesObject": {"replicas": 2, "auth": {"token": "OBJ-TOKEN"}, "redis": {"password": "OBJ-PW"}},
                "parameters": [{"name": "image.tag", "value": "v1"}, {"name": "db.password", "value": "PARAM-PW", "forceString": true}]
            },
            "plugin": {"name": "vault", "env": [{"name": "VAULT_TOKEN", "value": "ENV-TOKEN"}, {"name": "REGION", "value": "eu"}],
                       "parameters": [{"name": "apiKey", "string": "PLUGIN-KEY"}]},
            "directory": {"jsonnet": {"extVars": [{"name": "secret", "value": "JSONNET-SECRET"}]}}
        });
        let application = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "child", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"spec\":\"LAST-APPLIED\"}"}},
            "spec": {"source": source.clone(), "sources": [source.clone()]},
            "status": {"history": [{"source": source.clone()}], "sync": {"comparedTo": {"source": source.clone()}}}
        });
        let set = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "spec": {"template": {"spec": {"source": source.clone()}},
                     "generators": [{"git": {"template": {"spec": {"sources": [source.clone()]}}}}]}
        });
        for mut object in [application, set] {
            mask_secrets(&mut object);
            let text = object.to_string();
            for secret in [
                "VALUES-PW",
                "OBJ-TOKEN",
                "OBJ-PW",
                "PARAM-PW",
                "ENV-TOKEN",
                "PLUGIN-KEY",
                "JSONNET-SECRET",
                "LAST-APPLIED",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
            for kept in ["\"v1\"", "\"eu\"", "\"replicas\":2", "charts.example.com"] {
                assert!(text.contains(kept), "{kept} missing in {text}");
            }
        }
    }

    #[test]
    fn plugin_map_parameters_lose_their_credential_entries() {
        let mut application = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "spec": {"source": {"plugin": {"name": "cmp", "parameters": [
                {"name": "values", "map": {"db.password": "MAP-PW", "replicas": "2"}},
                {"name": "images", "array": ["nginx:1"]}
            ]}}}
        });
        mask_secrets(&mut application);
        let text = application.to_string();
        assert!(!text.contains("MAP-PW"), "{text}");
        assert_eq!(
            application["spec"]["source"]["plugin"]["parameters"][0]["map"],
            json!({"db.password": MASK, "replicas": "2"})
        );
        assert!(text.contains("nginx:1"), "{text}");
    }

    #[test]
    fn generators_lose_credentials_they_feed_the_template() {
        let mut set = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "spec": {"generators": [
                {"list": {"elements": [{"env": "dev", "dbPassword": "ELEMENT-PW", "creds": {"user": "ELEMENT-USER"}}],
                          "elementsYaml": "- env: prod\n  apiKey: ELEMENTS-YAML-KEY\n"}},
                {"clusters": {"selector": {}, "values": {"region": "eu", "vaultToken": "CLUSTER-VALUE-TOKEN"}}},
                {"matrix": {"generators": [
                    {"git": {"repoURL": "https://git.example.com/a", "values": {"secret": "NESTED-SECRET"}}},
                    {"plugin": {"input": {"parameters": {"token": "PLUGIN-INPUT-TOKEN", "stage": "qa"}}}}
                ]}}
            ]}
        });
        mask_secrets(&mut set);
        let text = set.to_string();
        for secret in [
            "ELEMENT-PW",
            "ELEMENT-USER",
            "ELEMENTS-YAML-KEY",
            "CLUSTER-VALUE-TOKEN",
            "NESTED-SECRET",
            "PLUGIN-INPUT-TOKEN",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        for kept in ["\"dev\"", "env: prod", "\"eu\"", "\"qa\""] {
            assert!(text.contains(kept), "{kept} missing in {text}");
        }
    }

    #[test]
    fn config_map_entries_and_container_env_named_like_credentials_are_masked() {
        let mut config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"SMTP_PASSWORD": "P-1", "LOG_LEVEL": "info"}, "binaryData": {"credentials.json": "P-5"}});
        mask_secrets(&mut config);
        assert_eq!(
            config["data"],
            json!({"SMTP_PASSWORD": MASK, "LOG_LEVEL": "info"})
        );
        assert_eq!(config["binaryData"]["credentials.json"], MASK);

        let applied =
            r#"{"kind":"Deployment","spec":{"env":[{"name":"DB_PASSWORD","value":"P-2"}]}}"#;
        let mut deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"annotations": {WHOLE_OBJECT_ANNOTATIONS[0]: applied, "team": "a"}},
            "spec": {"template": {"spec": {
                "initContainers": [{"name": "init", "env": [{"name": "API_TOKEN", "value": "T-3"}]}],
                "containers": [{"name": "app", "env": [
                    {"name": "DB_PASSWORD", "value": "P-4"},
                    {"name": "DB_PASSWORD_FILE", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                    {"name": "MODE", "value": "prod"}
                ]}]
            }}}
        });
        mask_secrets(&mut deployment);
        let text = deployment.to_string();
        for secret in ["P-2", "T-3", "P-4"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let env = &deployment["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(env[2]["value"], "prod");
        assert_eq!(env[1]["valueFrom"]["secretKeyRef"]["key"], "password");
        assert_eq!(deployment["metadata"]["annotations"], json!({"team": "a"}));
    }

    #[test]
    fn any_object_loses_what_its_names_mark_as_credentials_and_keeps_references() {
        let mut list = json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Secret", "stringData": {"url": "P-1"}},
            {"apiVersion": "grafana.example.com/v1", "kind": "Datasource",
             "metadata": {"annotations": {"example.com/api-key": "P-2", "team": "a"}},
             "spec": {"secureJsonData": {"basicAuthPassword": "P-3", "tokenTTL": 3600},
                      "passwordSecretRef": {"name": "db", "key": "password"},
                      "secretName": "db-credentials"}},
            {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{
                "args": ["--db-password", "P-4", "--token-file", "/var/run/t", "--api-key", "-x"],
                "livenessProbe": {"httpGet": {"httpHeaders": [{"name": "X-Api-Key", "value": "P-5"}]}}
            }]}}
        ]});
        mask_secrets(&mut list);
        let text = list.to_string();
        for secret in ["P-1", "P-2", "P-3", "P-4", "P-5", "3600"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let mut nested = json!({"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
            "spec": {"forProvider": {"manifest": {"kind": "Secret", "stringData": {"DSN": "P-6"}}},
                     "web": {"headers": [{"key": "X-Api-Key", "value": "P-7"}]},
                     "apiKeys": ["P-8"], "adminPassword": {"value": "P-9"},
                     "existingSecret": "pg-credentials"}});
        mask_secrets(&mut nested);
        let text = nested.to_string();
        for secret in ["P-6", "P-7", "P-8", "P-9"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(nested["spec"]["existingSecret"], "pg-credentials");
        let datasource = &list["items"][1];
        assert_eq!(datasource["metadata"]["annotations"]["team"], "a");
        assert_eq!(
            datasource["spec"]["passwordSecretRef"],
            json!({"name": "db", "key": "password"})
        );
        assert_eq!(datasource["spec"]["secretName"], "db-credentials");
        let args = &list["items"][2]["spec"]["containers"][0]["args"];
        assert_eq!(
            args,
            &json!([
                "--db-password",
                MASK,
                "--token-file",
                "/var/run/t",
                "--api-key",
                "-x"
            ])
        );
    }

    #[test]
    fn named_entries_lose_their_value_whatever_field_holds_it_or_sits_between() {
        let mut pipeline = json!({"apiVersion": "tekton.dev/v1", "kind": "Pipeline", "spec": {
            "params": [
                {"name": "api-token", "type": "string", "default": "N-1"},
                {"name": "db-password", "description": "the database's", "value": "N-2"},
                {"name": "image", "type": "string", "default": "nginx:1"}
            ],
            "headers": [{"key": "X-Auth-Token", "value": "N-3"}],
            "credentials": [{"type": "password", "value": "N-4", "temporary": false}],
            "users": [{"type": "email", "value": "ops@example.com"}],
            "plugin": [{"name": "client-secret", "string": "N-5"}, {"name": "signing-key", "values": ["N-6"]}],
            "mounted": [{"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"}]
        }});
        mask_secrets(&mut pipeline);
        let text = pipeline.to_string();
        for secret in ["N-1", "N-2", "N-3", "N-4", "N-5", "N-6"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let spec = &pipeline["spec"];
        assert_eq!(spec["params"][1]["description"], "the database's");
        assert_eq!(spec["params"][2]["default"], "nginx:1");
        assert_eq!(spec["credentials"][0]["temporary"], false);
        assert_eq!(spec["users"][0]["value"], "ops@example.com");
        assert_eq!(spec["mounted"][0]["value"], "/run/secrets/db");
    }

    /// Review34 N1: named entries spelled otherwise (AWS's capitalised fields,
    /// CloudFormation's `ParameterKey`, `variable`/`header`/`id`/`field` names, `text`/`val`/
    /// `map` values) lose their value and keep their name; schemas and docs that only name a
    /// credential keep every field.
    #[test]
    fn named_entries_in_other_spellings_lose_their_value_and_keep_their_name() {
        let mut settings = json!({"apiVersion": "example.com/v1", "kind": "Settings", "spec": {
            "entries": [
                {"Name": "DB_PASSWORD", "Value": "O-1"},
                {"Key": "api_token", "Value": "O-2"},
                {"ParameterKey": "DBPassword", "ParameterValue": "O-3"},
                {"variable": "db_password", "value": "O-4"},
                {"header": "X-Api-Key", "value": "O-5"},
                {"id": "client_secret", "value": "O-6"},
                {"field": "password", "value": "O-7"},
                {"name": "API_TOKEN", "text": "O-8"},
                {"name": "password", "val": 918273},
                {"name": "db_password", "map": {"primary": "O-10", "secretName": "db"}},
                {"param_name": "signing-key", "param_value": "O-11"},
                {"headerName": "Authorization", "headerValue": "O-12"},
                {"NAME": "SMTP_PASS", "DefaultValue": "O-13"}
            ],
            "schema": [
                {"name": "password-policy", "type": "string", "description": "how strong"},
                {"id": "token", "description": "the API token", "kind": "bearer"},
                {"ParameterKey": "Region", "ParameterValue": "eu-west-1"},
                {"Name": "DB_PASSWORD_FILE", "Value": "/run/secrets/db"},
                {"header": "Accept", "value": "application/json"},
                {"field": "password", "type": "text", "label": "Password"}
            ]
        }});
        mask_secrets(&mut settings);
        let text = settings.to_string();
        for secret in [
            "O-1", "O-2", "O-3", "O-4", "O-5", "O-6", "O-7", "O-8", "918273", "O-10", "O-11",
            "O-12", "O-13",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let entries = &settings["spec"]["entries"];
        for (at, field, name) in [
            (0, "Name", "DB_PASSWORD"),
            (1, "Key", "api_token"),
            (2, "ParameterKey", "DBPassword"),
            (5, "id", "client_secret"),
            (11, "headerName", "Authorization"),
        ] {
            assert_eq!(entries[at][field], name, "{text}");
        }
        assert_eq!(entries[9]["map"]["secretName"], "db");
        let schema = &settings["spec"]["schema"];
        assert_eq!(
            schema,
            &json!([
                {"name": "password-policy", "type": "string", "description": "how strong"},
                {"id": "token", "description": "the API token", "kind": "bearer"},
                {"ParameterKey": "Region", "ParameterValue": "eu-west-1"},
                {"Name": "DB_PASSWORD_FILE", "Value": "/run/secrets/db"},
                {"header": "Accept", "value": "application/json"},
                {"field": "password", "type": "text", "label": "Password"}
            ])
        );
    }

    /// Only a name field's own word, alone or after the kind of entry, names a pair: other
    /// keys ending in `name`, `key` or `value` are judged by their own name.
    #[test]
    fn pair_fields_are_told_from_keys_that_only_end_like_them() {
        for field in [
            "name",
            "Name",
            "KEY",
            "ParameterKey",
            "param_name",
            "headerName",
            "id",
        ] {
            assert!(is_pair_name(field), "{field}");
        }
        for field in [
            "secretName",
            "apiKey",
            "keyName",
            "fieldPath",
            "names",
            "identity",
        ] {
            assert!(!is_pair_name(field), "{field}");
        }
        for field in [
            "Value",
            "defaultValue",
            "ParameterValue",
            "text",
            "val",
            "map",
        ] {
            assert!(is_pair_value(field), "{field}");
        }
        for field in ["valueFrom", "textColor", "mapping", "secretValue", "valid"] {
            assert!(!is_pair_value(field), "{field}");
        }
        assert!(names_a_credential("apiKey") && !names_a_credential("ParameterKey"));
    }

    #[test]
    fn helm_set_pairs_in_args_lose_the_value_of_a_credential() {
        let mut deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {"containers": [{
            "args": ["upgrade", "--set", "env[0].name=DB_PASSWORD", "--set", "env[0].value=H-1",
                     "--set-string=extraEnv[1].key=API_TOKEN,extraEnv[1].value=H-2\\,H-3,replicas=2",
                     "--set", "env[2].name=REGION", "--set", "env[2].value=eu-west-1",
                     "--set", "env[3].name=TOKEN_FILE", "--set", "env[3].value=/run/t"]
        }]}}}});
        mask_secrets(&mut deployment);
        let text = deployment.to_string();
        for secret in ["H-1", "H-2", "H-3"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let args = &deployment["spec"]["template"]["spec"]["containers"][0]["args"];
        assert_eq!(args[4], "env[0].value=***");
        assert_eq!(
            args[5],
            "--set-string=extraEnv[1].key=API_TOKEN,extraEnv[1].value=***,replicas=2"
        );
        assert_eq!(args[9], "env[2].value=eu-west-1");
        assert_eq!(args[13], "env[3].value=/run/t");
        // Not an assignment, or half a one: nothing to read, nothing to panic over.
        let mut odd = json!({"kind": "Pod", "args": ["=", ",", "a.name=token,", "\\", "a.value", "é.name=secret", "é.value=x"]});
        mask_secrets(&mut odd);
        assert_eq!(odd["args"][6], "é.value=***");
    }

    /// The twelfth review: names the text rules knew and objects did not, and maps under a
    /// credential's key.
    #[test]
    fn run_together_names_and_maps_under_a_credential_lose_their_values() {
        let mut config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {
            "GIT_DEPLOYKEY": "M-1", "APIAUTH": "M-2", "WG_PRESHAREDKEY": "M-3", "CIPHERKEY": "M-4",
            "DIGESTAUTH": "M-5", "monkey": "kept"}});
        mask_secrets(&mut config);
        let text = config.to_string();
        for secret in ["M-1", "M-2", "M-3", "M-4", "M-5"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(config["data"]["monkey"], "kept");
        let mut route = json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "spec": {"http": [
            {"match": [{"headers": {"x-api-key": {"exact": "M-6"}}}]}]}});
        mask_secrets(&mut route);
        assert!(!route.to_string().contains("M-6"), "{route}");
        let mut custom = json!({"apiVersion": "example.com/v1", "kind": "Integration", "spec": {
            "apiKeys": {"stripe": "M-7", "nested": {"sendgrid": "M-8"}},
            "credentials": {"admin": "M-9", "existingSecret": "creds", "clientId": "app-1"},
            "auth": {"basic": "M-10", "secretRef": {"name": "basic-auth"}},
            "passwordPolicy": {"minLength": 12},
            "secret": {"secretName": "db"}}});
        mask_secrets(&mut custom);
        let text = custom.to_string();
        for secret in ["M-7", "M-8", "M-9", "M-10"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let spec = &custom["spec"];
        assert_eq!(spec["credentials"]["existingSecret"], "creds");
        assert_eq!(spec["credentials"]["clientId"], "app-1");
        assert_eq!(spec["auth"]["secretRef"]["name"], "basic-auth");
        assert_eq!(spec["passwordPolicy"]["minLength"], 12);
        // Numbers are credentials too, but a setting's or a time's.
        let mut pins = json!({"kind": "X", "spec": {"passwords": {"admin": 918273645013_u64},
            "apiKeys": {"cards": [736251904]}, "token": {"expirationSeconds": 3600}}});
        mask_secrets(&mut pins);
        let text = pins.to_string();
        assert!(
            !text.contains("918273645013") && !text.contains("736251904"),
            "{text}"
        );
        assert_eq!(pins["spec"]["token"]["expirationSeconds"], 3600);
        assert_eq!(spec["secret"]["secretName"], "db");
    }

    #[test]
    fn entries_named_like_credentials_keep_fields_that_are_not_their_value() {
        let mut project = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "spec": {"roles": [
            {"name": "ci-token", "description": "CI", "policies": ["p, proj:default:ci-token, applications, sync, default/*, allow"],
             "jwtTokens": [{"iat": 1700000000, "id": "a1"}]}
        ]}});
        let before = project.clone();
        mask_secrets(&mut project);
        assert_eq!(project, before);
    }

    #[test]
    fn documents_held_in_strings_are_masked_as_what_they_are() {
        let realm = r#"{"realm": "apps", "users": [{"username": "admin", "credentials": [{"type": "password", "value": "D-1"}]}]}"#;
        let bootstrap = r#"{"bootstrap": "db:\n  password: |\n    D-2\n  user: app\n"}"#;
        let plain = r#"{"replicas": 2, "passwordPolicy": {"minLength": 12}}"#;
        let mut config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {
            "realm.json": realm,
            "app.json": bootstrap,
            "config.yaml": "db:\n  ? - primary\n  : D-3\n  host: db.internal\n",
            "plain.json": plain,
            "script.sh": "#!/bin/sh\nexec app --port 8080\n",
            "broken.json": r#"{"password": "D-4""#,
            "notes": "see [the docs] for the token: rotation"
        }});
        mask_secrets(&mut config);
        let text = config.to_string();
        for secret in ["D-1", "D-2", "D-3"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let data = &config["data"];
        let kept = |field: &str, part: &str| {
            let value = data[field].as_str().unwrap_or_default();
            assert!(value.contains(part), "{part:?} missing in {value}");
        };
        kept("realm.json", r#""username":"admin""#);
        kept("app.json", "user: app");
        kept("config.yaml", "host: db.internal");
        // Nothing hidden: the document stays as written.
        assert_eq!(data["plain.json"], plain);
        assert_eq!(data["script.sh"], "#!/bin/sh\nexec app --port 8080\n");
        // Not a document: left to the text scrubber.
        assert_eq!(data["broken.json"], r#"{"password": "D-4""#);
        assert_eq!(data["notes"], "see [the docs] for the token: rotation");
    }

    #[test]
    fn grafanas_secure_json_data_is_masked_whatever_its_keys() {
        let mut datasource = json!({"apiVersion": "grafana.integreatly.org/v1beta1", "kind": "GrafanaDatasource",
            "spec": {"datasource": {"url": "https://loki.example.com",
                "jsonData": {"httpHeaderName1": "X-Scope-OrgID", "timeout": 30},
                "secureJsonData": {"httpHeaderValue1": "V-1", "tlsClientKey": "V-2", "nested": {"x": "V-3"}}}}});
        mask_secrets(&mut datasource);
        let text = datasource.to_string();
        for secret in ["V-1", "V-2", "V-3"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let spec = &datasource["spec"]["datasource"];
        assert_eq!(spec["secureJsonData"]["httpHeaderValue1"], MASK);
        assert_eq!(
            spec["jsonData"],
            json!({"httpHeaderName1": "X-Scope-OrgID", "timeout": 30})
        );
    }

    #[test]
    fn external_secrets_keep_the_names_of_keys_and_mask_values() {
        let mut external = json!({"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
            "spec": {"target": {"name": "db", "template": {"data": {"password": "{{ .pw }}-P-1"}}},
                     "data": [{"secretKey": "DB_PASSWORD", "remoteRef": {"key": "prod/db", "property": "password"}}]}});
        mask_secrets(&mut external);
        let entry = &external["spec"]["data"][0];
        assert_eq!(entry["secretKey"], "DB_PASSWORD");
        assert_eq!(
            entry["remoteRef"],
            json!({"key": "prod/db", "property": "password"})
        );
        assert_eq!(
            external["spec"]["target"]["template"]["data"]["password"],
            MASK
        );
        let mut push = json!({"apiVersion": "external-secrets.io/v1alpha1", "kind": "PushSecret",
            "spec": {"data": [{"match": {"secretKey": "token", "remoteRef": {"remoteKey": "app/token"}}}]}});
        mask_secrets(&mut push);
        assert_eq!(
            push["spec"]["data"][0]["match"],
            json!({"secretKey": "token", "remoteRef": {"remoteKey": "app/token"}})
        );
        // Elsewhere a `secretKey` is a credential (MinIO's, S3's).
        let mut values =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"secretKey": "P-2"}});
        mask_secrets(&mut values);
        assert_eq!(values["data"]["secretKey"], MASK);
    }

    #[test]
    fn other_kinds_named_application_are_left_alone() {
        let mut object = json!({"apiVersion": "app.k8s.io/v1beta1", "kind": "Application", "spec": {"helm": {"values": "password: x"}}});
        let before = object.clone();
        mask_secrets(&mut object);
        assert_eq!(object, before);
    }

    #[test]
    fn objects_held_inside_another_kind_are_masked_as_what_they_are() {
        let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "spec": {"source": {"plugin": {"name": "cmp", "parameters": [
                {"name": "api-token", "string": "hunter2"}]},
                "helm": {"values": "? password\n: hunter3\n"}}}});
        let mut object = json!({"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
            "spec": {"forProvider": {"manifest": app}},
            "items": [{"apiVersion": "v1", "kind": "Secret", "data": {"x": "aHVudGVyNA=="}}]});
        mask_secrets(&mut object);
        let text = object.to_string();
        for secret in ["hunter2", "hunter3", "aHVudGVyNA=="] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            object["spec"]["forProvider"]["manifest"]["spec"]["source"]["plugin"]["name"],
            "cmp"
        );
        // A node naming a kind without being an object stays as it is.
        let mut node = json!({"nodes": [{"kind": "Application", "name": "child",
            "spec": {"helm": {"values": "password: kept"}}}]});
        let before = node.clone();
        mask_secrets(&mut node);
        assert_eq!(node, before);
    }

    /// Review33 S3/S4: names that hold a credential as one value (the text rules' query
    /// parameters `sig`, `session`, `jwt`, `hmac`; one-time passwords' seeds), a wallet's
    /// mnemonic, a password's misspellings and other languages' words; the settings beside them
    /// stay, and so do maps of settings under a single-value name.
    #[test]
    fn single_value_names_and_other_spellings_of_a_password_lose_their_values() {
        let mut config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {
            "signature": "S-1", "sig": "S-2", "SESSION": "S-3", "sessionid": "S-4",
            "session_id": "S-5", "jwt": "S-6", "hmac": "S-7", "X-Amz-Signature": "S-8",
            "JSESSIONID": "S-9", "TOTP_SEED": "S-10", "OTP": "S-11", "mnemonic": "S-12",
            "pswd": "S-13", "passw0rd": "S-14", "passwort": "S-15", "Kennwort": "S-16",
            "motdepasse": "S-17", "mot_de_passe": "S-18", "contraseña": "S-19",
            "CONTRASEÑA": "S-20", "wachtwoord": "S-21", "recovery_codes": "S-22",
            "seedPhrase": "S-23", "mfaSeed": "S-24", "user_otp": "S-25",
            "sessionAffinity": "ClientIP", "signatureVersion": "v4", "jwtIssuer": "https://issuer",
            "hmacAlgorithm": "sha256", "otpLength": "6", "seed": "42", "contrast": "high",
            "sessions": "3", "signed": "yes"}});
        mask_secrets(&mut config);
        let text = config.to_string();
        for n in 1..=25 {
            let secret = format!("\"S-{n}\"");
            assert!(!text.contains(&secret), "{secret} in {text}");
        }
        let data = &config["data"];
        for (key, kept) in [
            ("sessionAffinity", "ClientIP"),
            ("signatureVersion", "v4"),
            ("jwtIssuer", "https://issuer"),
            ("hmacAlgorithm", "sha256"),
            ("otpLength", "6"),
            ("seed", "42"),
            ("contrast", "high"),
            ("sessions", "3"),
            ("signed", "yes"),
        ] {
            assert_eq!(data[key], kept, "{key}");
        }
        // A map under a single-value name holds settings, each judged by its own key.
        let mut values = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "spec": {"source": {"helm": {"valuesObject": {
                "session": {"timeout": "30m", "secret": "S-26"}, "jwt": "S-27",
                "auth": {"realm": "S-28"}}}}}});
        mask_secrets(&mut values);
        let object = &values["spec"]["source"]["helm"]["valuesObject"];
        assert_eq!(
            object,
            &json!({"session": {"timeout": "30m", "secret": MASK}, "jwt": MASK, "auth": MASK})
        );
        let mut custom = json!({"apiVersion": "example.com/v1", "kind": "Portal", "spec": {
            "session": {"domain": "example.com", "maxAge": 3600, "signingKey": "S-29"},
            "signature": ["S-30"], "otp": 918273}});
        mask_secrets(&mut custom);
        assert_eq!(
            custom["spec"],
            json!({"session": {"domain": "example.com", "maxAge": 3600, "signingKey": MASK},
                   "signature": [MASK], "otp": MASK})
        );
        let mut service = json!({"apiVersion": "v1", "kind": "Service", "spec": {
            "sessionAffinity": "ClientIP",
            "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}}}});
        let before = service.clone();
        mask_secrets(&mut service);
        assert_eq!(service, before);
    }

    /// The text rules read the same names: a signed URL's parameters as before, and the same
    /// keys in text; the settings beside them stay.
    #[test]
    fn text_hides_the_single_value_names_as_objects_do() {
        let text = "url=https://x.blob.core.windows.net/c?sv=2022&sig=Q1w2E3&se=2030 \
                    X-Amz-Signature=abc123 session_id=sid-9 jsessionid=J7\n\
                    TOTP_SEED: JBSWY3DP\npasswort: geheim1\nsessionAffinity: ClientIP\n\
                    signatureVersion: v4";
        let clean = crate::tools::without_credentials(text);
        for secret in ["Q1w2E3", "abc123", "sid-9", "J7", "JBSWY3DP", "geheim1"] {
            assert!(!clean.contains(secret), "{secret} in {clean}");
        }
        for kept in [
            "sv=2022",
            "se=2030",
            "sessionAffinity: ClientIP",
            "signatureVersion: v4",
        ] {
            assert!(clean.contains(kept), "{kept} missing in {clean}");
        }
    }

    /// Review33 S5: the External Secrets Operator's `fake` provider serves the values it holds;
    /// its paths and versions stay, and a `value` in another kind is judged by its pair.
    #[test]
    fn an_external_secrets_fake_providers_values_are_masked() {
        for kind in ["SecretStore", "ClusterSecretStore"] {
            let mut store = json!({"apiVersion": "external-secrets.io/v1", "kind": kind,
                "spec": {"provider": {"fake": {"data": [
                    {"key": "/db/conn", "value": "F-1", "version": "v1"},
                    {"key": "/app/config", "valueMap": {"dsn": "F-2", "nested": {"x": "F-3"}}}]}}}});
            mask_secrets(&mut store);
            assert_eq!(
                store["spec"]["provider"]["fake"]["data"],
                json!([{"key": "/db/conn", "value": MASK, "version": "v1"},
                       {"key": "/app/config", "valueMap": {"dsn": MASK, "nested": {"x": MASK}}}]),
                "{kind}"
            );
        }
        let mut other = json!({"apiVersion": "example.com/v1", "kind": "SecretStore",
            "spec": {"provider": {"fake": {"data": [{"key": "/db/conn", "value": "kept"}]}}}});
        let before = other.clone();
        mask_secrets(&mut other);
        assert_eq!(other, before);
    }

    /// Review33 S6: annotations holding the whole object again (Rancher wrangler's gzip+base64,
    /// kapp's original and its diff, Banzai Cloud's) are removed, and any annotation holding
    /// base64 of gzip or zip hidden; other annotations stay.
    #[test]
    fn annotations_holding_the_object_again_are_removed() {
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"annotations": {
            "objectset.rio.cattle.io/applied": "H4sIAAAAAAAC-1",
            "kapp.k14s.io/original": "{\"data\":{\"x\":\"A-2\"}}",
            "kapp.k14s.io/original-diff": "[{\"value\":\"A-3\"}]",
            "banzaicloud.com/last-applied": "UEsDBBQA-4",
            "example.com/snapshot": "H4sIAAAAAAAC-5",
            "objectset.rio.cattle.io/id": "helm-app",
            "team": "H4 payments"}},
            "data": {"conn": "A-6"}});
        mask_secrets(&mut secret);
        assert_eq!(
            secret["metadata"]["annotations"],
            json!({"example.com/snapshot": MASK, "objectset.rio.cattle.io/id": "helm-app",
                   "team": "H4 payments"})
        );
        assert_eq!(secret["data"]["conn"], MASK);
    }
}
