//! The shell's remaining screens in a real browser: the manual opened from a screen's Manual
//! link (S27), the coming-soon page of a menu entry not built yet, and the not-found page, in
//! Japanese and English, at 1280 px and on a phone (390 px). Screenshots go to
//! `artifacts/screenshots/` like those of `browser.rs`, whose harness this shares.

use crate::harness::chromium::{Browser, DESKTOP, PHONE};
use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn the_manual_coming_soon_and_not_found_pages_read_well_in_both_languages_and_sizes() {
    let app = TestApp::spawn().await;
    let (tenant, user) = app.acme_yamada(None).await;
    let mut b = Browser::start("shell_pages", &app.base).await;
    b.log_in("yamada", PASSWORD).await;
    assert_eq!(b.path().await, "/welcome");

    for (lang, soon, manual, password_section, not_found) in [
        (
            "ja",
            "準備中",
            "操作マニュアル",
            "パスワードの変更",
            "ページが見つかりません",
        ),
        (
            "en",
            "Coming soon",
            "User manual",
            "Change password",
            "Page not found",
        ),
    ] {
        app.store
            .update_profile(tenant.id, user.id, "太郎", "山田", lang, "ja-JP", None)
            .await
            .unwrap();
        for (size, width) in [(DESKTOP, "desktop"), (PHONE, "phone")] {
            b.viewport(size).await;

            // The menu entry of a screen to come: its name, what it will be, and where to
            // look meanwhile, never a dead end.
            b.goto("/welcome").await;
            if size == PHONE {
                // On a phone the menu is folded behind its button.
                b.find("#menu-button").await.click().await.unwrap();
            }
            b.click_and_wait("nav.menu a[href='/department-counters']")
                .await;
            assert!(b.text("#coming-soon").await.contains(soon));
            assert_eq!(b.attrs("#coming-soon-instead", "href").await, ["/counters"]);
            b.assert_fits_width("coming soon").await;
            b.screenshot(&format!("coming-soon-{lang}-{width}")).await;

            // The Manual link of a screen opens the manual at that screen's section.
            b.goto("/account/password").await;
            let link = b.attrs("header.top a[target=_blank]", "href").await;
            assert_eq!(link.len(), 1);
            assert!(link[0].ends_with("/manual#password"), "{link:?}");
            b.goto("/manual#password").await;
            assert_eq!(b.text("main h1").await, manual);
            assert!(
                b.text("#password-title").await.ends_with(password_section),
                "the section of the screen"
            );
            // The section is scrolled into view: its heading is at the top of the window.
            let top = b
                .js("return document.getElementById('password-title').getBoundingClientRect().top;")
                .await
                .as_f64()
                .unwrap();
            assert!(
                (-2.0..200.0).contains(&top),
                "{lang} {width}: the section starts {top} px down"
            );
            b.assert_fits_width("manual").await;
            b.screenshot(&format!("manual-{lang}-{width}")).await;

            b.goto("/no-such-screen").await;
            assert_eq!(b.text("main h1").await, not_found);
            assert!(
                b.exists("nav.menu a[href='/devices']").await,
                "the menu stays, so the way on is one click away"
            );
            b.assert_fits_width("not found").await;
            b.screenshot(&format!("not-found-{lang}-{width}")).await;
        }
    }
    b.close().await;
}
