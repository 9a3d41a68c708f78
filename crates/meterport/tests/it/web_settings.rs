//! The settings screens through HTTP, as a logged-in user with a cookie-keeping client, on
//! SQLite or PostgreSQL (`METERPORT_TEST_BACKEND`): device groups (S22), paper sizes (S21)
//! and e-mail notification (S23).

use crate::harness::OPERATOR_TOKEN;
use crate::harness::web::{
    Customer, Page, assert_absent, attr, attrs, checked, count, csrf, error_fields, error_notice,
    field_error, link, options, rows, selector, text, texts, value,
};
use meterport_domain::policy::MAX_GROUPS_PER_TENANT;
use meterport_store::counters::GroupFilter;
use meterport_store::notifications::{NotificationSettings, Scope};
use serde_json::json;

const NEW_GROUP: &str = "/settings/groups/new";
const PAPER: &str = "/settings/paper-sizes";
const NOTIFY: &str = "/settings/notifications";
const CSRF_REFUSED: &str = "The form had expired or came from elsewhere. Please try again.";

/// The logged-in customer of the settings screens, with the settings' own helpers.
struct Web(Customer);

impl std::ops::Deref for Web {
    type Target = Customer;

    fn deref(&self) -> &Customer {
        &self.0
    }
}

impl Web {
    async fn page(&self, path: &str) -> String {
        self.browser.html(path).await
    }

    /// Opens the form at `path` and posts `fields` back to it with the form's CSRF token; the
    /// answer must be `status`.
    async fn submit(&self, path: &str, fields: &[(&str, &str)], status: u16) -> Page {
        self.browser.submit(path, path, fields, status).await
    }

    /// Posts `fields` with a forged CSRF token to `path`: refused (422) and said so.
    async fn forge(&self, path: &str, fields: &[(&str, &str)]) {
        let mut form = vec![("csrf", "forged")];
        form.extend_from_slice(fields);
        let refused = self.browser.post_expect(path, &form, 422).await;
        assert_eq!(error_notice(&refused.html), CSRF_REFUSED, "{path}");
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

    /// A group made directly in the store; its id.
    async fn group(&self, name: &str, devices: &[i64]) -> i64 {
        self.app.group(&self.tenant, name, devices).await
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

    async fn group_count(&self) -> usize {
        let groups = self.app.store.list_groups(self.tenant.id).await;
        groups.unwrap().len()
    }

    async fn members(&self, filter: GroupFilter) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .app
            .store
            .list_devices(self.tenant.id, filter)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.sort();
        ids
    }

    async fn paper_sizes(&self) -> Vec<String> {
        let tenant = self.app.store.tenant(self.tenant.id).await.unwrap();
        tenant.paper_sizes
    }

    /// The stored notification settings of `user`.
    async fn notifications_of(&self, user: &str) -> NotificationSettings {
        let store = &self.app.store;
        let user = store.user_by_username_any_tenant(user).await.unwrap();
        store
            .notification_settings(self.tenant.id, user.unwrap().id)
            .await
            .unwrap()
    }
}

/// The device checkboxes of a group form: (id, checked).
fn device_boxes(html: &str) -> Vec<(i64, bool)> {
    let doc = crate::harness::web::document(html);
    doc.select(&selector("input[name=\"device\"]"))
        .map(|input| {
            let id = input.value().attr("value").unwrap().parse().unwrap();
            (id, input.value().attr("checked").is_some())
        })
        .collect()
}

async fn setup_as(lang: &str) -> Web {
    Web(Customer::new(lang).await)
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
    web.group("Taken", &[c]).await;

    let form = web.page(NEW_GROUP).await;
    let created = web
        .submit(
            NEW_GROUP,
            &[("name", "Head office"), ("device", &a.to_string())],
            303,
        )
        .await;

    assert_eq!(
        device_boxes(&form),
        [(a, false), (b, false)],
        "only devices in no group"
    );
    let (id, count) = web.group_named("Head office").await.expect("created");
    assert_eq!(count, 1);
    assert_eq!(
        created.location,
        Some(format!("/settings/groups?created={id}"))
    );
    assert_eq!(web.members(GroupFilter::Group(id)).await, [a]);
    let list = web.page(&created.location.unwrap()).await;
    assert_eq!(
        text(&list, "#saved"),
        "The group \"Head office\" has been created."
    );
    assert_eq!(
        link(&list, "#group-list a", "Head office"),
        format!("/settings/groups/{id}")
    );
    assert_eq!(text(&list, "#ungrouped"), "Devices in no group: 1");
    assert_eq!(link(&list, "#ungrouped a", "1"), "/devices?group=none");
}

#[tokio::test]
async fn the_list_shows_each_group_with_its_number_of_devices() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    web.group("Two", &[a, b]).await;
    web.group("Empty", &[]).await;

    let html = web.page("/settings/groups").await;

    let mut listed = rows(&html, "#group-list tbody tr");
    listed.sort();
    assert_eq!(listed, [["", "Empty", "0"], ["", "Two", "2"]]);
    assert_eq!(text(&html, "#group-count"), "2 / 200");
}

#[tokio::test]
async fn each_rule_of_a_group_name_is_explained_next_to_the_name_in_english() {
    let web = setup().await;
    web.group("Sales", &[]).await;
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
        let refused = web.submit(NEW_GROUP, &[("name", name)], 422).await;
        let shown = field_error(&refused.html, "name");
        assert!(shown.contains(message), "{name:?}: {shown}");
        assert_eq!(
            attr(&refused.html, "#name", "aria-invalid"),
            "true",
            "{name:?}: the field is marked"
        );
    }
    assert_eq!(web.group_count().await, 1, "nothing created");
    // Exactly 50 half-width units is allowed: 25 full-width characters.
    web.submit(NEW_GROUP, &[("name", &"あ".repeat(25))], 303)
        .await;
}

#[tokio::test]
async fn each_rule_of_a_group_name_is_explained_in_japanese_for_a_japanese_user() {
    let web = setup_as("ja").await;
    web.group("営業部", &[]).await;
    let cases: [(&str, &str); 5] = [
        ("", "グループ名を入力してください。"),
        (&"あ".repeat(26), "半角50文字以内で入力してください。"),
        ("a;b", "次の文字は使用できません"),
        ("ｶﾅ", "半角カタカナは使用できません"),
        ("営業部", "同じ名前のグループがすでにあります。"),
    ];

    for (name, message) in cases {
        let refused = web.submit(NEW_GROUP, &[("name", name)], 422).await;
        let shown = field_error(&refused.html, "name");
        assert!(shown.contains(message), "{name:?}: {shown}");
    }
}

#[tokio::test]
async fn the_two_hundred_and_first_group_is_refused_with_the_limit_named() {
    let web = setup().await;
    for i in 0..MAX_GROUPS_PER_TENANT {
        web.group(&format!("G{i:03}"), &[]).await;
    }

    let list = web.page("/settings/groups").await;
    let refused = web.submit(NEW_GROUP, &[("name", "One more")], 422).await;

    assert_eq!(
        text(&list, "#group-limit"),
        "You have the maximum of 200 groups. Delete a group before creating another.",
        "the list says the limit is reached"
    );
    assert_eq!(count(&list, "#new-group"), 0);
    assert!(
        field_error(&refused.html, "name").contains("You already have 200 groups, the maximum.")
    );
    assert!(web.group_named("One more").await.is_none());
}

#[tokio::test]
async fn the_edit_screen_lists_the_group_s_devices_and_those_in_no_group_and_saves_both_changes() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    let c = web.device("SN-C", "charlie").await;
    let d = web.device("SN-D", "delta").await;
    let g = web.group("Floor 2", &[a, b]).await;
    web.group("Other", &[d]).await;
    let path = format!("/settings/groups/{g}");

    let form = web.page(&path).await;
    let saved = web
        .submit(
            &path,
            &[
                ("name", "Floor 2 East"),
                ("device", &b.to_string()),
                ("device", &c.to_string()),
            ],
            303,
        )
        .await;

    assert_eq!(
        device_boxes(&form),
        [(a, true), (b, true), (c, false)],
        "the group's devices ticked, then those in no group; not another group's"
    );
    assert_eq!(
        link(&form, "#group-form .actions a", "Reset"),
        path,
        "Reset goes back to the stored state"
    );
    assert_eq!(saved.location, Some(format!("/settings/groups?saved={g}")));
    assert_eq!(web.group_named("Floor 2 East").await, Some((g, 2)));
    let mut expected = vec![b, c];
    expected.sort();
    assert_eq!(
        web.members(GroupFilter::Group(g)).await,
        expected,
        "a left the group, c joined"
    );
    let list = web.page(&format!("/settings/groups?saved={g}")).await;
    assert_eq!(
        text(&list, "#saved"),
        "The group \"Floor 2 East\" has been saved."
    );
}

#[tokio::test]
async fn a_device_of_another_group_or_tenant_is_refused_and_nothing_changes() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let b = web.device("SN-B", "bravo").await;
    let g = web.group("Mine", &[a]).await;
    web.group("Busy", &[b]).await;
    let other = web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = web.app
        .device(&other, json!({"serial": "SN-X", "name": "theirs", "product": "p", "device_type": "mono_lbp", "protocol": "http"}))
        .await;
    let path = format!("/settings/groups/{g}");

    let busy = web
        .submit(
            &path,
            &[
                ("name", "Renamed"),
                ("device", &a.to_string()),
                ("device", &b.to_string()),
            ],
            422,
        )
        .await;
    let foreign = web
        .submit(
            &path,
            &[("name", "Renamed"), ("device", &theirs.to_string())],
            422,
        )
        .await;

    assert!(
        field_error(&busy.html, "devices")
            .contains("These devices were put in another group in the meantime: SN-B (Busy).")
    );
    assert!(
        field_error(&foreign.html, "devices").contains("1 of the chosen devices no longer exist.")
    );
    assert_absent(&foreign.html, "theirs");
    assert_eq!(
        web.group_named("Mine").await,
        Some((g, 1)),
        "neither renamed nor changed"
    );
    assert_eq!(web.members(GroupFilter::Group(g)).await, [a]);
}

#[tokio::test]
async fn another_tenant_s_group_cannot_be_opened_changed_or_deleted() {
    let web = setup().await;
    let other = web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = web.app.group(&other, "Theirs", &[]).await;
    let path = format!("/settings/groups/{theirs}");
    let browser = &web.browser;

    let opened = browser.get(&path).await;
    browser
        .submit("/settings/groups", &path, &[("name", "Hijacked")], 404)
        .await;
    let delete = browser
        .submit(
            "/settings/groups",
            "/settings/groups/delete",
            &[("id", &theirs.to_string()), ("confirm", "yes")],
            422,
        )
        .await;

    assert_eq!(opened.status, 404);
    assert!(
        field_error(&delete.html, "ids").contains("Select the groups to delete"),
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
    let one = web.group("One", &[a]).await;
    let two = web.group("Two", &[b]).await;
    let keep = web.group("Keep", &[]).await;
    let list = web.page("/settings/groups").await;
    let mut boxes = attrs(&list, "#group-list input[name=\"id\"]", "value");
    boxes.sort();
    let mut ids = [one, two, keep].map(|g| g.to_string());
    ids.sort();
    assert_eq!(boxes, ids, "a checkbox per group");
    let (one, two) = (one.to_string(), two.to_string());

    // Step 1: the confirmation page, and nothing deleted yet.
    let confirm = web
        .browser
        .post_expect(
            "/settings/groups/delete",
            &[("csrf", &csrf(&list)), ("id", &one), ("id", &two)],
            200,
        )
        .await
        .html;
    assert_eq!(
        texts(&confirm, "#delete-confirm > p"),
        [
            "Do you want to delete these groups?",
            "Their 2 device(s) will then be in no group. No device and no counter data is deleted."
        ]
    );
    assert_eq!(texts(&confirm, "#delete-list strong"), ["One", "Two"]);
    assert_eq!(value(&confirm, "confirm"), "yes");
    assert_eq!(
        attrs(&confirm, "#confirm-form input[name=\"id\"]", "value"),
        [one.as_str(), two.as_str()]
    );
    assert_eq!(web.group_count().await, 3);

    // Step 2: Yes.
    let deleted = web
        .browser
        .post_expect(
            "/settings/groups/delete",
            &[
                ("csrf", &csrf(&confirm)),
                ("confirm", "yes"),
                ("id", &one),
                ("id", &two),
            ],
            303,
        )
        .await;

    assert_eq!(
        deleted.location.as_deref(),
        Some("/settings/groups?deleted=2")
    );
    let left: Vec<i64> = web
        .app
        .store
        .list_groups(web.tenant.id)
        .await
        .unwrap()
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(left, [keep]);
    assert_eq!(
        web.members(GroupFilter::NoGroup).await,
        [a, b],
        "their devices are in no group, not deleted"
    );
    let after = web.page("/settings/groups?deleted=2").await;
    assert_eq!(
        text(&after, "#saved"),
        "2 group(s) deleted. Their devices are now in no group."
    );
}

#[tokio::test]
async fn deleting_without_choosing_a_group_says_what_to_do() {
    let web = setup().await;
    web.group("One", &[]).await;

    let refused = web
        .browser
        .submit("/settings/groups", "/settings/groups/delete", &[], 422)
        .await;

    assert_eq!(
        field_error(&refused.html, "ids"),
        "Select the groups to delete (tick their boxes), then click Delete."
    );
}

#[tokio::test]
async fn every_group_form_refuses_a_post_without_the_session_s_csrf_token() {
    let web = setup().await;
    let a = web.device("SN-A", "alpha").await;
    let g = web.group("One", &[]).await;

    web.forge(NEW_GROUP, &[("name", "New")]).await;
    web.forge(
        &format!("/settings/groups/{g}"),
        &[("name", "Renamed"), ("device", &a.to_string())],
    )
    .await;
    web.forge(
        "/settings/groups/delete",
        &[("id", &g.to_string()), ("confirm", "yes")],
    )
    .await;

    assert_eq!(web.group_named("One").await, Some((g, 0)));
    assert_eq!(web.group_count().await, 1);
}

#[tokio::test]
async fn a_group_named_like_a_script_is_shown_as_text() {
    let web = setup().await;
    // The name rules refuse < > themselves, so the operator API's path is the only way in;
    // the store takes what it is given.
    let name = "<script>x</script>";
    let g = web.group(name, &[]).await;

    let list = web.page("/settings/groups").await;
    let edit = web.page(&format!("/settings/groups/{g}")).await;
    let devices = web.page("/devices").await;

    assert_eq!(texts(&list, "#group-list tbody a"), [name]);
    assert_eq!(value(&edit, "name"), name);
    assert_eq!(options(&devices, "#group")[2].1, name);
    for html in [&list, &edit, &devices] {
        assert_absent(html, name);
    }
}

// ---- Paper sizes (S21)

#[tokio::test]
async fn the_paper_sizes_start_at_the_defaults_and_offer_all_seventeen() {
    let web = setup().await;

    let html = web.page(PAPER).await;

    assert_eq!(count(&html, "#sizes input[name=\"size\"]"), 17);
    assert_eq!(checked(&html, "size"), ["a3", "a4", "b4", "b5"]);
    let labels = texts(&html, "#sizes label");
    for label in [
        "Ledger (11x17)",
        "Postcard",
        "SRA3",
        "12x18",
        "Envelope",
        "Other",
    ] {
        assert!(labels.iter().any(|l| l == label), "{label} in {labels:?}");
    }
    let notes = texts(&html, "ul.notes li");
    assert_eq!(notes[0], "Total 1 includes the sizes that are not listed.");
    assert_eq!(
        notes[1],
        "Large-format printers (LFP) have no paper-size counters: this setting does not apply to them."
    );
}

#[tokio::test]
async fn saved_paper_sizes_are_the_tenant_s_and_head_the_paper_tab_of_the_csv() {
    let web = setup().await;
    let read = web.app.read_token(&web.tenant).await;
    web.device("SN-A", "alpha").await;

    let saved = web
        .submit(
            PAPER,
            &[("size", "letter"), ("size", "a4"), ("size", "12x18")],
            303,
        )
        .await;

    assert_eq!(
        saved.location.as_deref(),
        Some("/settings/paper-sizes?saved=1")
    );
    assert_eq!(
        web.paper_sizes().await,
        ["a4", "letter", "12x18"],
        "kept in the setting's order"
    );
    let html = web.page("/settings/paper-sizes?saved=1").await;
    assert_eq!(text(&html, "#saved"), "The paper sizes have been saved.");
    let mut ticked = checked(&html, "size");
    ticked.sort();
    assert_eq!(ticked, ["12x18", "a4", "letter"]);
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
    assert!(
        headings.ends_with("Total 1,A4,Letter,12x18,Notes"),
        "{headings}"
    );
}

#[tokio::test]
async fn at_least_one_paper_size_must_stay_and_unknown_sizes_are_refused() {
    let web = setup().await;

    let none = web.submit(PAPER, &[], 422).await;
    let unknown = web
        .submit(PAPER, &[("size", "a4"), ("size", "a0")], 422)
        .await;

    assert_eq!(
        field_error(&none.html, "size"),
        "Select at least one paper size."
    );
    assert_eq!(
        field_error(&unknown.html, "size"),
        "Choose paper sizes from the list only."
    );
    assert_eq!(
        web.paper_sizes().await,
        ["a3", "a4", "b4", "b5"],
        "unchanged"
    );
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

    assert_eq!(count(&html, "#defaults-shown"), 1);
    assert_eq!(checked(&html, "size"), ["a3", "a4", "b4", "b5"]);
    assert_eq!(link(&html, "#paper-form .actions a", "Reset"), PAPER);
    assert_eq!(
        web.paper_sizes().await,
        ["letter"],
        "nothing stored by looking"
    );
}

#[tokio::test]
async fn a_paper_size_change_without_the_csrf_token_is_refused() {
    let web = setup().await;

    web.forge(PAPER, &[("size", "a5")]).await;

    assert_eq!(web.paper_sizes().await, ["a3", "a4", "b4", "b5"]);
}

// ---- E-mail notification (S23)

#[tokio::test]
async fn notification_settings_start_off_and_are_saved_per_user() {
    let web = setup().await;
    let g1 = web.group("HQ", &[]).await;
    let g2 = web.group("Branch", &[]).await;
    web.app.user(&web.tenant, "sato", None, "ja").await;
    let first = web.page(NOTIFY).await;
    for event in ["service_call", "error", "warning", "late"] {
        assert_eq!(
            checked(&first, &format!("{event}_scope")),
            ["off"],
            "{event} is off at first"
        );
    }
    assert_eq!(
        text(&first, "#notify-address"),
        "E-mails go to: yamada@example.com"
    );

    let saved = web
        .submit(
            NOTIFY,
            &[
                ("service_call_scope", "all"),
                ("error_scope", "groups"),
                ("error_group", &g1.to_string()),
                ("error_group", &g2.to_string()),
                ("warning_scope", "off"),
                ("late_scope", "groups"),
                ("late_group", &g2.to_string()),
                ("toner_admins", "1"),
            ],
            303,
        )
        .await;

    assert_eq!(
        saved.location.as_deref(),
        Some("/settings/notifications?saved=1")
    );
    let mine = web.notifications_of("yamada").await;
    let mut groups = vec![g1, g2];
    groups.sort();
    assert_eq!(mine.service_call, Scope::AllDevices);
    assert_eq!(mine.error, Scope::Groups(groups));
    assert_eq!(mine.warning, Scope::Off);
    assert_eq!(mine.late, Scope::Groups(vec![g2]));
    assert!(mine.tell_toner_admins);
    assert_eq!(
        web.notifications_of("sato").await,
        Default::default(),
        "another user's settings are untouched"
    );
    let shown = web.page("/settings/notifications?saved=1").await;
    assert_eq!(
        text(&shown, "#saved"),
        "Your e-mail notification settings have been saved."
    );
    assert_eq!(checked(&shown, "service_call_scope"), ["all"]);
    let mut ticked = checked(&shown, "error_group");
    ticked.sort();
    let mut expected = [g1.to_string(), g2.to_string()];
    expected.sort();
    assert_eq!(ticked, expected);
    assert_eq!(checked(&shown, "toner_admins"), ["1"]);
    assert_eq!(checked(&shown, "late_group"), [g2.to_string()]);
}

#[tokio::test]
async fn selected_groups_need_a_group_and_another_tenant_s_group_is_refused() {
    let web = setup().await;
    let other = web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = web.app.group(&other, "Theirs", &[]).await;
    web.group("Mine", &[]).await;

    let empty = web
        .submit(
            NOTIFY,
            &[
                ("service_call_scope", "groups"),
                ("error_scope", "off"),
                ("warning_scope", "off"),
                ("late_scope", "off"),
            ],
            422,
        )
        .await;
    let foreign = web
        .submit(
            NOTIFY,
            &[
                ("service_call_scope", "off"),
                ("error_scope", "off"),
                ("warning_scope", "groups"),
                ("warning_group", &theirs.to_string()),
                ("late_scope", "off"),
            ],
            422,
        )
        .await;

    assert_eq!(error_fields(&empty.html), ["service_call"]);
    assert_eq!(
        field_error(&empty.html, "service_call"),
        "Select at least one group, or choose All devices."
    );
    assert_eq!(error_fields(&foreign.html), ["warning"]);
    assert_eq!(
        field_error(&foreign.html, "warning"),
        "A chosen group no longer exists. Choose again from the list."
    );
    assert_absent(&foreign.html, "Theirs");
    assert_eq!(
        web.notifications_of("yamada").await,
        Default::default(),
        "nothing saved"
    );
}

#[tokio::test]
async fn a_deleted_group_leaves_a_visible_gap_in_the_notification_choice() {
    let web = setup().await;
    let g = web.group("Gone soon", &[]).await;
    web.submit(
        NOTIFY,
        &[
            ("service_call_scope", "groups"),
            ("service_call_group", &g.to_string()),
            ("error_scope", "off"),
            ("warning_scope", "off"),
            ("late_scope", "off"),
        ],
        303,
    )
    .await;
    web.group("Stays", &[]).await;
    web.app
        .store
        .delete_groups(web.tenant.id, &[g])
        .await
        .unwrap();

    let html = web.page(NOTIFY).await;

    assert_eq!(
        text(&html, "#event-service_call #warn-service_call"),
        "The groups chosen here have been deleted: no device is selected. Choose groups, or All devices."
    );
}

#[tokio::test]
async fn notification_settings_without_the_csrf_token_are_refused() {
    let web = setup().await;

    web.forge(
        NOTIFY,
        &[
            ("service_call_scope", "all"),
            ("error_scope", "all"),
            ("warning_scope", "all"),
        ],
    )
    .await;

    assert_eq!(web.notifications_of("yamada").await, Default::default());
}

#[tokio::test]
async fn the_settings_screens_speak_japanese_to_a_japanese_user() {
    let web = setup_as("ja").await;

    let groups = web.page("/settings/groups").await;
    let paper = web.page(PAPER).await;
    let notify = web.page(NOTIFY).await;

    assert_eq!(text(&groups, "main h1"), "デバイスグループ");
    assert_eq!(text(&groups, "#new-group"), "新規作成");
    let sizes = texts(&paper, "#sizes label");
    assert!(
        sizes.iter().any(|s| s == "レジャー(11x17)") && sizes.iter().any(|s| s == "はがき"),
        "{sizes:?}"
    );
    assert_eq!(
        text(&notify, "#event-service_call legend"),
        "サービスコール"
    );
    assert_eq!(
        text(&notify, "#toner label"),
        "トナー/インクの残量が少なくなったときにトナー/インク管理者に通知する"
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
    web.submit(
        NEW_GROUP,
        &[("name", "Screen"), ("device", &a.to_string())],
        303,
    )
    .await;
    let (screen, _) = web.group_named("Screen").await.unwrap();
    web.submit(
        &format!("/settings/groups/{screen}"),
        &[("name", "Screen 2"), ("device", &a.to_string())],
        303,
    )
    .await;
    web.browser
        .submit(
            "/settings/groups",
            "/settings/groups/delete",
            &[("id", &screen.to_string()), ("confirm", "yes")],
            303,
        )
        .await;
    // ...and the operator does the same through the API.
    let app = &web.app;
    let base = format!("/api/v1/admin/tenants/{}/groups", web.tenant.id);
    let (status, created) = app
        .post(
            &base,
            OPERATOR_TOKEN,
            &json!({"name": "Api", "device_ids": [b]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let group = app.url(&format!("{base}/{}", created["id"]));
    let renamed = app.client.patch(&group).json(&json!({"name": "Api 2"}));
    let deleted = app.client.delete(&group);
    for request in [renamed, deleted] {
        let res = request.bearer_auth(OPERATOR_TOKEN).send().await.unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }

    let entries = app
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
