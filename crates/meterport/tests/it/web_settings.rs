//! The settings screens through HTTP, as a logged-in user with a cookie-keeping client, on
//! SQLite or PostgreSQL (`METERPORT_TEST_BACKEND`): device groups (S22), paper sizes (S21)
//! and e-mail notification (S23).

use crate::harness::web::{Browser, attrs, csrf, field_error, selector, texts};
use crate::harness::{T0, TestApp};
use meterport_domain::policy::MAX_GROUPS_PER_TENANT;
use meterport_store::counters::GroupFilter;
use meterport_store::notifications::Scope;
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::json;

const PASSWORD: &str = "secret123";

struct Web {
    app: TestApp,
    browser: Browser,
    tenant: Tenant,
}

impl Web {
    /// One GET: status and body, for the test to check.
    async fn get(&self, path: &str) -> (u16, String) {
        let page = self.browser.get(path).await;
        (page.status, page.html)
    }

    /// A GET that must answer 200: its body.
    async fn page(&self, path: &str) -> String {
        self.browser.get_ok(path).await.html
    }

    /// One form POST: status, body and redirect, for the test to check.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let page = self.browser.post(path, form).await;
        (page.status, page.html, page.location)
    }

    /// Opens the form at `page` (200), posts `form` with its CSRF token to `path` and asserts
    /// that the answer is `status`.
    async fn submit(
        &self,
        page: &str,
        path: &str,
        form: &[(&str, &str)],
        status: u16,
    ) -> (u16, String, Option<String>) {
        let page = self.browser.submit(page, path, form, status).await;
        (page.status, page.html, page.location)
    }

    /// A form POST that must answer `status`: its body.
    async fn post_expect(&self, path: &str, form: &[(&str, &str)], status: u16) -> String {
        self.browser.post_expect(path, form, status).await.html
    }

    async fn login(&self, user: &str) {
        self.browser.login(user, PASSWORD).await;
    }

    async fn device(&self, serial: &str, name: &str) -> i64 {
        self.app
            .device(
                &self.tenant,
                json!({"serial": serial, "name": name, "product": "iR-ADV C5840",
                       "device_type": "color_mfp", "protocol": "http", "location": "2F"}),
            )
            .await
    }

    async fn group_named(&self, name: &str) -> Option<(i64, i64)> {
        self.app
            .store
            .list_groups(self.tenant.id)
            .await
            .unwrap()
            .into_iter()
            .find(|g| g.name == name)
            .map(|g| (g.id, g.device_count))
    }

    async fn members(&self, group: i64) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .app
            .store
            .list_devices(self.tenant.id, GroupFilter::Group(group))
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.sort();
        ids
    }
}

/// The message shown next to a field (`<p class="error" id="error-<field>" ...>`).
fn error_of(html: &str, field: &str) -> String {
    field_error(html, field).unwrap_or_else(|| panic!("a message for {field} in {html}"))
}

/// The device checkboxes of a group form: (id, checked).
fn device_boxes(html: &str) -> Vec<(i64, bool)> {
    let doc = scraper::Html::parse_document(html);
    doc.select(&selector("input[name=\"device\"]"))
        .map(|input| {
            let id = input.value().attr("value").unwrap().parse().unwrap();
            (id, input.value().attr("checked").is_some())
        })
        .collect()
}

async fn setup_as(lang: &str) -> Web {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    app.store
        .create_user(
            tenant.id,
            "yamada",
            &hash_password(PASSWORD),
            Some("yamada@example.com"),
            lang,
            T0,
        )
        .await
        .unwrap();
    let browser = Browser::on(&app);
    let web = Web {
        app,
        browser,
        tenant,
    };
    web.login("yamada").await;
    web
}

async fn setup() -> Web {
    setup_as("en").await
}

// ---- Device groups (S22)

#[tokio::test]
async fn a_new_group_lists_the_devices_in_no_group_and_takes_the_ticked_ones() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    let c = web.device("SN-C", "charlie").await;
    web.app
        .store
        .create_group(web.tenant.id, "Taken", &[c], T0)
        .await
        .unwrap();

    let (status, form) = web.get("/settings/groups/new").await;
    let (post, _, location) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "Head office"), ("device", &a.to_string())],
            303,
        )
        .await;

    assert_eq!(status, 200);
    assert_eq!(
        device_boxes(&form),
        [(a, false), (b, false)],
        "only devices in no group"
    );
    assert_eq!(post, 303);
    let (id, count) = web.group_named("Head office").await.expect("created");
    assert_eq!(count, 1);
    assert_eq!(location, Some(format!("/settings/groups?created={id}")));
    assert_eq!(web.members(id).await, [a]);
    let list = web.page(location.as_deref().unwrap()).await;
    assert!(
        texts(&list, "#saved")
            .iter()
            .any(|t| t.contains("The group \"Head office\" has been created.")),
        "{list}"
    );
    assert!(list.contains(&format!(
        "<a href=\"/settings/groups/{id}\">Head office</a>"
    )));
    assert!(list.contains("Devices in no group: <a href=\"/devices?group=none\">1</a>"));
}

#[tokio::test]
async fn the_list_shows_each_group_with_its_number_of_devices() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    web.app
        .store
        .create_group(web.tenant.id, "Two", &[a, b], T0)
        .await
        .unwrap();
    web.app
        .store
        .create_group(web.tenant.id, "Empty", &[], T0)
        .await
        .unwrap();

    let html = web.page("/settings/groups").await;

    let row = |name: &str| {
        let at = html.find(&format!(">{name}</a>")).unwrap();
        let rest = &html[at..];
        rest[..rest.find("</tr>").unwrap()].to_string()
    };
    assert!(row("Two").contains("<td class=\"num\">2</td>"));
    assert!(row("Empty").contains("<td class=\"num\">0</td>"));
    assert!(html.contains("2 / 200"));
}

#[tokio::test]
async fn each_rule_of_a_group_name_is_explained_next_to_the_name_in_english() {
    let web = setup().await;
    web.app
        .store
        .create_group(web.tenant.id, "Sales", &[], T0)
        .await
        .unwrap();
    let cases: [(&str, &str); 6] = [
        ("", "Is required."),
        ("   ", "Is required."),
        (
            &"あ".repeat(26),
            "Must be at most 50 half-width characters, a full-width character counting as 2 (this name counts 52).",
        ),
        (
            "R&D / 2F",
            "Must not contain any of \" % & ' / ; < > \\ ¥ (found: & /).",
        ),
        ("ｴｲｷﾞｮｳ", "Must not contain half-width katakana"),
        ("Sales", "Another group already has this name."),
    ];

    for (name, message) in cases {
        let (status, html, _) = web
            .submit(
                "/settings/groups/new",
                "/settings/groups/new",
                &[("name", name)],
                422,
            )
            .await;
        assert_eq!(status, 422, "{name:?} is refused on the form");
        let shown = error_of(&html, "name");
        assert!(shown.contains(message), "{name:?}: {shown}");
        assert_eq!(
            attrs(&html, "#name", "aria-invalid"),
            ["true"],
            "{name:?}: the field is marked"
        );
    }
    assert_eq!(
        web.app
            .store
            .list_groups(web.tenant.id)
            .await
            .unwrap()
            .len(),
        1,
        "nothing created"
    );
    // Exactly 50 half-width units is allowed: 25 full-width characters.
    let (status, _, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", &"あ".repeat(25))],
            303,
        )
        .await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn each_rule_of_a_group_name_is_explained_in_japanese_for_a_japanese_user() {
    let web = setup_as("ja").await;
    web.app
        .store
        .create_group(web.tenant.id, "営業部", &[], T0)
        .await
        .unwrap();

    let (_, empty, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "")],
            422,
        )
        .await;
    let (_, wide, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", &"あ".repeat(26))],
            422,
        )
        .await;
    let (_, chars, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "a;b")],
            422,
        )
        .await;
    let (_, kana, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "ｶﾅ")],
            422,
        )
        .await;
    let (_, taken, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "営業部")],
            422,
        )
        .await;

    assert!(error_of(&empty, "name").contains("グループ名を入力してください。"));
    assert!(error_of(&wide, "name").contains("半角50文字以内で入力してください。"));
    assert!(error_of(&chars, "name").contains("次の文字は使用できません"));
    assert!(error_of(&kana, "name").contains("半角カタカナは使用できません"));
    assert!(error_of(&taken, "name").contains("同じ名前のグループがすでにあります。"));
}

#[tokio::test]
async fn the_two_hundred_and_first_group_is_refused_with_the_limit_named() {
    let web = setup().await;
    for i in 0..MAX_GROUPS_PER_TENANT {
        web.app
            .store
            .create_group(web.tenant.id, &format!("G{i:03}"), &[], T0)
            .await
            .unwrap();
    }

    let list = web.page("/settings/groups").await;
    let (status, html, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "One more")],
            422,
        )
        .await;

    assert!(
        list.contains("id=\"group-limit\""),
        "the list says the limit is reached"
    );
    assert!(!list.contains("id=\"new-group\""));
    assert_eq!(status, 422);
    assert!(error_of(&html, "name").contains("You already have 200 groups, the maximum."));
    assert!(web.group_named("One more").await.is_none());
}

#[tokio::test]
async fn the_edit_screen_lists_the_group_s_devices_and_those_in_no_group_and_saves_both_changes() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    let c = web.device("SN-C", "charlie").await;
    let d = web.device("SN-D", "delta").await;
    let store = &web.app.store;
    let g = store
        .create_group(web.tenant.id, "Floor 2", &[a, b], T0)
        .await
        .unwrap()
        .id;
    store
        .create_group(web.tenant.id, "Other", &[d], T0)
        .await
        .unwrap();
    let path = format!("/settings/groups/{g}");

    let (status, form) = web.get(&path).await;
    let (post, _, location) = web
        .submit(
            &path,
            &path,
            &[
                ("name", "Floor 2 East"),
                ("device", &b.to_string()),
                ("device", &c.to_string()),
            ],
            303,
        )
        .await;

    assert_eq!(status, 200);
    assert_eq!(
        device_boxes(&form),
        [(a, true), (b, true), (c, false)],
        "the group's devices ticked, then those in no group; not another group's"
    );
    assert!(
        form.contains(&format!("href=\"{path}\">Reset</a>")),
        "Reset goes back to the stored state"
    );
    assert_eq!(
        (post, location),
        (303, Some(format!("/settings/groups?saved={g}")))
    );
    assert_eq!(web.group_named("Floor 2 East").await, Some((g, 2)));
    let mut expected = vec![b, c];
    expected.sort();
    assert_eq!(web.members(g).await, expected, "a left the group, c joined");
    let list = web.page(&format!("/settings/groups?saved={g}")).await;
    assert!(
        texts(&list, "#saved")
            .iter()
            .any(|t| t.contains("The group \"Floor 2 East\" has been saved.")),
        "{list}"
    );
}

#[tokio::test]
async fn a_device_of_another_group_or_tenant_is_refused_and_nothing_changes() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    let store = &web.app.store;
    let g = store
        .create_group(web.tenant.id, "Mine", &[a], T0)
        .await
        .unwrap()
        .id;
    store
        .create_group(web.tenant.id, "Busy", &[b], T0)
        .await
        .unwrap();
    let other = web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = web
        .app
        .device(&other, json!({"serial": "SN-X", "name": "theirs", "product": "p", "device_type": "mono_lbp", "protocol": "http"}))
        .await;
    let path = format!("/settings/groups/{g}");

    let (_, busy, _) = web
        .submit(
            &path,
            &path,
            &[
                ("name", "Renamed"),
                ("device", &a.to_string()),
                ("device", &b.to_string()),
            ],
            422,
        )
        .await;
    let (_, foreign, _) = web
        .submit(
            &path,
            &path,
            &[("name", "Renamed"), ("device", &theirs.to_string())],
            422,
        )
        .await;

    assert!(
        error_of(&busy, "devices")
            .contains("These devices were put in another group in the meantime: SN-B (Busy).")
    );
    assert!(error_of(&foreign, "devices").contains("1 of the chosen devices no longer exist."));
    assert!(!foreign.contains("theirs"));
    assert_eq!(
        web.group_named("Mine").await,
        Some((g, 1)),
        "neither renamed nor changed"
    );
    assert_eq!(web.members(g).await, [a]);
}

#[tokio::test]
async fn another_tenant_s_group_cannot_be_opened_changed_or_deleted() {
    let web = setup().await;
    let other = web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = web
        .app
        .store
        .create_group(other.id, "Theirs", &[], T0)
        .await
        .unwrap()
        .id;
    let path = format!("/settings/groups/{theirs}");

    let (get, _) = web.get(&path).await;
    let (post, _, _) = web
        .submit("/settings/groups", &path, &[("name", "Hijacked")], 404)
        .await;
    let (_, delete, _) = web
        .submit(
            "/settings/groups",
            "/settings/groups/delete",
            &[("id", &theirs.to_string()), ("confirm", "yes")],
            422,
        )
        .await;

    assert_eq!((get, post), (404, 404));
    assert!(
        error_of(&delete, "ids").contains("Select the groups to delete"),
        "treated as nothing chosen"
    );
    let still = web.app.store.list_groups(other.id).await.unwrap();
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].name, "Theirs");
}

#[tokio::test]
async fn deleting_several_groups_asks_first_then_leaves_their_devices_in_no_group() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    let store = &web.app.store;
    let one = store
        .create_group(web.tenant.id, "One", &[a], T0)
        .await
        .unwrap()
        .id;
    let two = store
        .create_group(web.tenant.id, "Two", &[b], T0)
        .await
        .unwrap()
        .id;
    let keep = store
        .create_group(web.tenant.id, "Keep", &[], T0)
        .await
        .unwrap()
        .id;
    let list = web.page("/settings/groups").await;
    assert!(
        list.contains(&format!("name=\"id\" value=\"{one}\"")),
        "a checkbox per group"
    );
    let token = csrf(&list);

    // Step 1: the confirmation page, and nothing deleted yet.
    let (status, confirm, _) = web
        .post(
            "/settings/groups/delete",
            &[
                ("csrf", &token),
                ("id", &one.to_string()),
                ("id", &two.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Do you want to delete these groups?"));
    assert!(confirm.contains("<strong>One</strong>") && confirm.contains("<strong>Two</strong>"));
    assert!(!confirm.contains("<strong>Keep</strong>"));
    assert!(confirm.contains("Their 2 device(s) will then be in no group."));
    assert!(confirm.contains("name=\"confirm\" value=\"yes\""));
    assert_eq!(store.list_groups(web.tenant.id).await.unwrap().len(), 3);

    // Step 2: Yes.
    let (status, _, location) = web
        .post(
            "/settings/groups/delete",
            &[
                ("csrf", &csrf(&confirm)),
                ("confirm", "yes"),
                ("id", &one.to_string()),
                ("id", &two.to_string()),
            ],
        )
        .await;

    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/settings/groups?deleted=2"))
    );
    let left: Vec<i64> = store
        .list_groups(web.tenant.id)
        .await
        .unwrap()
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(left, [keep]);
    let mut free: Vec<i64> = store
        .list_devices(web.tenant.id, GroupFilter::NoGroup)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    free.sort();
    assert_eq!(free, [a, b], "their devices are in no group, not deleted");
    let after = web.page("/settings/groups?deleted=2").await;
    assert!(after.contains("2 group(s) deleted."));
}

#[tokio::test]
async fn deleting_without_choosing_a_group_says_what_to_do() {
    let web = setup().await;
    web.app
        .store
        .create_group(web.tenant.id, "One", &[], T0)
        .await
        .unwrap();

    let (status, html, _) = web
        .submit("/settings/groups", "/settings/groups/delete", &[], 422)
        .await;

    assert_eq!(status, 422);
    assert!(
        error_of(&html, "ids")
            .contains("Select the groups to delete (tick their boxes), then click Delete.")
    );
}

#[tokio::test]
async fn every_group_form_refuses_a_post_without_the_session_s_csrf_token() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let g = web
        .app
        .store
        .create_group(web.tenant.id, "One", &[], T0)
        .await
        .unwrap()
        .id;
    let forged = [("csrf", "forged")];

    let create = web
        .post_expect("/settings/groups/new", &[forged[0], ("name", "New")], 422)
        .await;
    let update = web
        .post_expect(
            &format!("/settings/groups/{g}"),
            &[forged[0], ("name", "Renamed"), ("device", &a.to_string())],
            422,
        )
        .await;
    let delete = web
        .post_expect(
            "/settings/groups/delete",
            &[forged[0], ("id", &g.to_string()), ("confirm", "yes")],
            422,
        )
        .await;

    for html in [&create, &update, &delete] {
        assert!(html.contains("The form had expired or came from elsewhere."));
    }
    let groups = web.app.store.list_groups(web.tenant.id).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].name.as_str(), groups[0].device_count),
        ("One", 0)
    );
}

#[tokio::test]
async fn a_group_named_like_a_script_is_shown_as_text() {
    let web = setup().await;
    // The name rules refuse < > themselves, so the operator API's path is the only way in;
    // the store takes what it is given.
    let g = web
        .app
        .store
        .create_group(web.tenant.id, "<script>x</script>", &[], T0)
        .await
        .unwrap()
        .id;

    let list = web.page("/settings/groups").await;
    let edit = web.page(&format!("/settings/groups/{g}")).await;
    let devices = web.page("/devices").await;

    for html in [&list, &edit, &devices] {
        assert!(!html.contains("<script>x</script>"));
        assert!(html.contains("&#60;script&#62;x&#60;/script&#62;"));
    }
}

// ---- Paper sizes (S21)

#[tokio::test]
async fn the_paper_sizes_start_at_the_defaults_and_offer_all_seventeen() {
    let web = setup().await;

    let (status, html) = web.get("/settings/paper-sizes").await;

    assert_eq!(status, 200);
    assert_eq!(html.matches("name=\"size\"").count(), 17);
    let checked: Vec<&str> = html
        .split("name=\"size\" value=\"")
        .skip(1)
        .filter(|p| p.split('>').next().unwrap().contains("checked"))
        .map(|p| p.split('"').next().unwrap())
        .collect();
    assert_eq!(checked, ["a3", "a4", "b4", "b5"]);
    for label in [
        "Ledger (11x17)",
        "Postcard",
        "SRA3",
        "12x18",
        "Envelope",
        "Other",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains("Large-format printers (LFP) have no paper-size counters"));
    assert!(html.contains("Total 1 includes the sizes that are not listed."));
}

#[tokio::test]
async fn saved_paper_sizes_are_the_tenant_s_and_head_the_paper_tab_of_the_csv() {
    let web = setup().await;
    let read = web.app.read_token(&web.tenant).await;
    web.device("SN-A", "alpha").await;

    let (status, _, location) = web
        .submit(
            "/settings/paper-sizes",
            "/settings/paper-sizes",
            &[("size", "letter"), ("size", "a4"), ("size", "12x18")],
            303,
        )
        .await;

    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/settings/paper-sizes?saved=1"))
    );
    let tenant = web.app.store.tenant(web.tenant.id).await.unwrap();
    assert_eq!(
        tenant.paper_sizes,
        ["a4", "letter", "12x18"],
        "kept in the setting's order"
    );
    let html = web.page("/settings/paper-sizes?saved=1").await;
    assert!(html.contains("The paper sizes have been saved."));
    assert!(html.contains("value=\"letter\" checked"));
    assert!(!html.contains("value=\"a3\" checked"));
    let csv = web
        .app
        .get_raw(
            "/api/v1/counters.csv?period=2021-08&view=paper&lang=en",
            &read,
        )
        .await
        .text()
        .await
        .unwrap();
    let headings = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(headings.ends_with("Total 1,A4,Letter,12x18"), "{headings}");
}

#[tokio::test]
async fn at_least_one_paper_size_must_stay_and_unknown_sizes_are_refused() {
    let web = setup().await;

    let (status, none, _) = web
        .submit("/settings/paper-sizes", "/settings/paper-sizes", &[], 422)
        .await;
    let (_, unknown, _) = web
        .submit(
            "/settings/paper-sizes",
            "/settings/paper-sizes",
            &[("size", "a4"), ("size", "a0")],
            422,
        )
        .await;

    assert_eq!(status, 422);
    assert!(error_of(&none, "size").contains("Select at least one paper size."));
    assert!(error_of(&unknown, "size").contains("Choose paper sizes from the list only."));
    let tenant = web.app.store.tenant(web.tenant.id).await.unwrap();
    assert_eq!(tenant.paper_sizes, ["a3", "a4", "b4", "b5"], "unchanged");
}

#[tokio::test]
async fn the_defaults_can_be_selected_again_and_are_stored_only_on_save() {
    let web = setup().await;
    web.app
        .store
        .set_paper_sizes(web.tenant.id, &["letter"])
        .await
        .unwrap();

    let html = web.page("/settings/paper-sizes?defaults=1").await;

    assert!(html.contains("id=\"defaults-shown\""));
    assert!(html.contains("value=\"a3\" checked") && !html.contains("value=\"letter\" checked"));
    assert!(html.contains("href=\"/settings/paper-sizes\">Reset</a>"));
    let tenant = web.app.store.tenant(web.tenant.id).await.unwrap();
    assert_eq!(tenant.paper_sizes, ["letter"], "nothing stored by looking");
}

#[tokio::test]
async fn a_paper_size_change_without_the_csrf_token_is_refused() {
    let web = setup().await;

    let html = web
        .post_expect(
            "/settings/paper-sizes",
            &[("csrf", "forged"), ("size", "a5")],
            422,
        )
        .await;

    assert!(html.contains("The form had expired or came from elsewhere."));
    let tenant = web.app.store.tenant(web.tenant.id).await.unwrap();
    assert_eq!(tenant.paper_sizes, ["a3", "a4", "b4", "b5"]);
}

// ---- E-mail notification (S23)

#[tokio::test]
async fn notification_settings_start_off_and_are_saved_per_user() {
    let web = setup().await;
    let g1 = web
        .app
        .store
        .create_group(web.tenant.id, "HQ", &[], T0)
        .await
        .unwrap()
        .id;
    let g2 = web
        .app
        .store
        .create_group(web.tenant.id, "Branch", &[], T0)
        .await
        .unwrap()
        .id;
    let sato = web
        .app
        .store
        .create_user(
            web.tenant.id,
            "sato",
            &hash_password(PASSWORD),
            None,
            "ja",
            T0,
        )
        .await
        .unwrap();
    let first = web.page("/settings/notifications").await;
    assert_eq!(
        first.matches("value=\"off\" checked").count(),
        3,
        "everything off at first"
    );
    assert!(first.contains("E-mails go to: <strong>yamada@example.com</strong>"));

    let (status, _, location) = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[
                ("service_call_scope", "all"),
                ("error_scope", "groups"),
                ("error_group", &g1.to_string()),
                ("error_group", &g2.to_string()),
                ("warning_scope", "off"),
                ("toner_admins", "1"),
            ],
            303,
        )
        .await;

    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/settings/notifications?saved=1"))
    );
    let me = web
        .app
        .store
        .user_by_username_any_tenant("yamada")
        .await
        .unwrap()
        .unwrap();
    let mine = web
        .app
        .store
        .notification_settings(web.tenant.id, me.id)
        .await
        .unwrap();
    let mut groups = vec![g1, g2];
    groups.sort();
    assert_eq!(mine.service_call, Scope::AllDevices);
    assert_eq!(mine.error, Scope::Groups(groups));
    assert_eq!(mine.warning, Scope::Off);
    assert!(mine.tell_toner_admins);
    let theirs = web
        .app
        .store
        .notification_settings(web.tenant.id, sato.id)
        .await
        .unwrap();
    assert_eq!(
        theirs,
        Default::default(),
        "another user's settings are untouched"
    );
    let shown = web.page("/settings/notifications?saved=1").await;
    assert!(shown.contains("Your e-mail notification settings have been saved."));
    assert!(shown.contains("name=\"service_call_scope\" value=\"all\" checked"));
    assert!(shown.contains(&format!("name=\"error_group\" value=\"{g1}\" checked")));
    assert!(shown.contains("name=\"toner_admins\" value=\"1\" checked"));
}

#[tokio::test]
async fn selected_groups_need_a_group_and_another_tenant_s_group_is_refused() {
    let web = setup().await;
    let other = web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = web
        .app
        .store
        .create_group(other.id, "Theirs", &[], T0)
        .await
        .unwrap()
        .id;
    web.app
        .store
        .create_group(web.tenant.id, "Mine", &[], T0)
        .await
        .unwrap();

    let (status, empty, _) = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[
                ("service_call_scope", "groups"),
                ("error_scope", "off"),
                ("warning_scope", "off"),
            ],
            422,
        )
        .await;
    let (_, foreign, _) = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[
                ("service_call_scope", "off"),
                ("error_scope", "off"),
                ("warning_scope", "groups"),
                ("warning_group", &theirs.to_string()),
            ],
            422,
        )
        .await;

    assert_eq!(status, 422);
    assert!(
        error_of(&empty, "service_call")
            .contains("Select at least one group, or choose All devices.")
    );
    assert!(error_of(&foreign, "warning").contains("A chosen group no longer exists."));
    assert!(!foreign.contains("Theirs"));
    let me = web
        .app
        .store
        .user_by_username_any_tenant("yamada")
        .await
        .unwrap()
        .unwrap();
    let stored = web
        .app
        .store
        .notification_settings(web.tenant.id, me.id)
        .await
        .unwrap();
    assert_eq!(stored, Default::default(), "nothing saved");
}

#[tokio::test]
async fn a_deleted_group_leaves_a_visible_gap_in_the_notification_choice() {
    let web = setup().await;
    let g = web
        .app
        .store
        .create_group(web.tenant.id, "Gone soon", &[], T0)
        .await
        .unwrap()
        .id;
    web.submit(
        "/settings/notifications",
        "/settings/notifications",
        &[
            ("service_call_scope", "groups"),
            ("service_call_group", &g.to_string()),
            ("error_scope", "off"),
            ("warning_scope", "off"),
        ],
        303,
    )
    .await;
    web.app
        .store
        .create_group(web.tenant.id, "Stays", &[], T0)
        .await
        .unwrap();
    web.app
        .store
        .delete_groups(web.tenant.id, &[g])
        .await
        .unwrap();

    let html = web.page("/settings/notifications").await;

    assert!(html.contains("id=\"warn-service_call\""));
    assert!(html.contains("The groups chosen here have been deleted"));
}

#[tokio::test]
async fn notification_settings_without_the_csrf_token_are_refused() {
    let web = setup().await;

    let html = web
        .post_expect(
            "/settings/notifications",
            &[
                ("csrf", "forged"),
                ("service_call_scope", "all"),
                ("error_scope", "all"),
                ("warning_scope", "all"),
            ],
            422,
        )
        .await;

    assert!(html.contains("The form had expired or came from elsewhere."));
    let me = web
        .app
        .store
        .user_by_username_any_tenant("yamada")
        .await
        .unwrap()
        .unwrap();
    let stored = web
        .app
        .store
        .notification_settings(web.tenant.id, me.id)
        .await
        .unwrap();
    assert_eq!(stored, Default::default());
}

#[tokio::test]
async fn the_settings_screens_speak_japanese_to_a_japanese_user() {
    let web = setup_as("ja").await;

    let groups = web.page("/settings/groups").await;
    let paper = web.page("/settings/paper-sizes").await;
    let notify = web.page("/settings/notifications").await;

    assert!(groups.contains("デバイスグループ") && groups.contains("新規作成"));
    assert!(paper.contains("レジャー(11x17)") && paper.contains("はがき"));
    assert!(
        notify.contains("サービスコール")
            && notify
                .contains("トナー/インクの残量が少なくなったときにトナー/インク管理者に通知する")
    );
}

#[tokio::test]
async fn a_group_changed_on_the_screen_or_through_the_operator_api_leaves_the_same_audit_entries() {
    let web = setup().await;
    let (a, b) = (
        web.device("SN-A", "alpha").await,
        web.device("SN-B", "bravo").await,
    );
    // The customer creates, renames and deletes a group on the screens...
    let (status, _, _) = web
        .submit(
            "/settings/groups/new",
            "/settings/groups/new",
            &[("name", "Screen"), ("device", &a.to_string())],
            303,
        )
        .await;
    assert_eq!(status, 303);
    let screen = web.app.store.list_groups(web.tenant.id).await.unwrap()[0].id;
    let path = format!("/settings/groups/{screen}");
    let (status, _, _) = web
        .submit(
            &path,
            &path,
            &[("name", "Screen 2"), ("device", &a.to_string())],
            303,
        )
        .await;
    assert_eq!(status, 303);
    let (status, _, _) = web
        .submit(
            "/settings/groups",
            "/settings/groups/delete",
            &[("id", &screen.to_string()), ("confirm", "yes")],
            303,
        )
        .await;
    assert_eq!(status, 303);
    // ...and the operator does the same through the API.
    let base = format!("/api/v1/admin/tenants/{}/groups", web.tenant.id);
    let (status, created) = web
        .app
        .post(
            &base,
            crate::harness::OPERATOR_TOKEN,
            &json!({"name": "Api", "device_ids": [b]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let res = web
        .app
        .client
        .patch(web.app.url(&format!("{base}/{id}")))
        .bearer_auth(crate::harness::OPERATOR_TOKEN)
        .json(&json!({"name": "Api 2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = web
        .app
        .client
        .delete(web.app.url(&format!("{base}/{id}")))
        .bearer_auth(crate::harness::OPERATOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());

    let entries = web
        .app
        .store
        .list_audit(Some(web.tenant.id), None, 100)
        .await
        .unwrap();
    let of = |actor: &str| -> Vec<(String, Vec<String>)> {
        let mut v: Vec<(String, Vec<String>)> = entries
            .iter()
            .filter(|e| e.actor == actor && e.action.starts_with("group"))
            .map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
                let mut keys: Vec<String> = detail.as_object().unwrap().keys().cloned().collect();
                keys.sort();
                (e.action.clone(), keys)
            })
            .collect();
        v.reverse();
        v
    };
    let screen_entries = of("yamada");
    assert_eq!(
        screen_entries
            .iter()
            .map(|(a, _)| a.as_str())
            .collect::<Vec<_>>(),
        ["group_created", "group_updated", "group_deleted"]
    );
    assert_eq!(screen_entries, of("operator-api"));
}
