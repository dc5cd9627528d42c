package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web console at {@code /console} in a real headless Chromium against the WAR on a real Payara
 * Micro (one server for the class, started like the other ITs through {@link PayaraProcess}). It
 * signs in with the generated admin token, sees an event appended through the API in the live tail
 * within 2 s, opens the entity and verifies its chain, pauses the tail, appends 5 events, resumes and
 * sees each exactly once, watches a group's lag fall as a consumer acks, and shows a clear 403 for a
 * token without roles. Every view is saved as a PNG (to target/console-screenshots, or to the
 * directory in {@code -Dbatpak.console.screenshots}, e.g. {@code ../docs/console} to refresh the docs).
 * The methods run in order and share one browser session.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration UI = Duration.ofSeconds(15);
    private static PayaraProcess server;
    private static Http api;
    private static ConsoleBrowser browser;
    private static Path dataDir;
    private static String console;
    private static String entity;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "console-" + RUN);
        server = new PayaraProcess(dataDir);
        server.start();
        api = server.http();
        console = server.base().resolve("/console/").toString();
        browser = new ConsoleBrowser(Path.of(System.getProperty("batpak.console.screenshots", "target/console-screenshots")));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }

    private static JsonObject append(String entity, String scope, String payload) {
        Http.Reply r = api.post("events", "{\"entity\":\"" + entity + "\",\"scope\":\"" + scope
                + "\",\"kind\":61441,\"payload\":" + payload + "}");
        assertEquals(201, r.status(), () -> "append: " + r);
        return r.json();
    }

    private static Http.Reply put(String path, String json) {
        return api.send(HttpRequest.newBuilder(api.uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static void go(String hash) {
        browser.script("location.hash = arguments[0]", hash);
    }

    /** Paste {@code token} into the sign-in form on screen and submit it. */
    private static void signIn(String token) {
        WebElement box = browser.until(UI, "the sign-in form", d -> browser.all("textarea[name=token]").stream()
                .filter(WebElement::isDisplayed).findFirst().orElse(null));
        // Set as the field's value: typing a 700-character JWT key by key is slow and adds nothing.
        browser.script("arguments[0].value = arguments[1]", box, token);
        browser.find("form.sign-in button[type=submit]").click();
    }

    private static String tailStatus() {
        return browser.find("[data-testid=tail-status]").getText();
    }

    private static List<WebElement> rowsOf(String entityPrefix) {
        return browser.all("[data-testid=tail-table] tbody tr").stream()
                .filter(r -> r.getAttribute("data-entity").startsWith(entityPrefix)).toList();
    }

    @Test
    @Order(1)
    void signInAndSeeAnAppendInTheLiveTailWithinTwoSeconds() throws Exception {
        // The console's files are open (AuthFilter guards /api/v1 only); the API still is not.
        Http anonymous = new Http(server.base().resolve("/"));
        for (String file : List.of("console/", "console/js/app.js", "console/console.css")) {
            Http.Reply r = anonymous.get(file);
            assertEquals(200, r.status(), () -> file + " without a token: " + r.status());
        }
        assertTrue(anonymous.get("console/js/app.js").header("Content-Type").contains("javascript"), "modules need a JS type");
        assertEquals(401, anonymous.get("api/v1/stats").status());

        browser.open(console);
        signIn(Http.adminToken(dataDir));
        browser.untilText(UI, "#who-name", "admin");
        assertEquals(Http.adminToken(dataDir), browser.script("return sessionStorage.getItem('batpak.console.token')"));
        assertEquals(0L, browser.script("return localStorage.length"), "nothing in localStorage");
        browser.until(UI, "the tail to go live", d -> tailStatus().equals("Live"));
        entity = "player:console-" + RUN;
        append(entity, "room:dungeon", "{\"x\":10,\"note\":\"first\"}");
        long appended = System.nanoTime();
        browser.until(Duration.ofSeconds(2), "the appended event in the live tail within 2 s",
                d -> rowsOf(entity).isEmpty() ? null : true);
        System.out.printf("console live tail: event on screen %d ms after the append answered%n",
                (System.nanoTime() - appended) / 1_000_000);
        append(entity, "room:dungeon", "{\"x\":11,\"hp\":[90,85]}");
        append(entity, "room:dungeon", "{\"x\":12,\"loot\":{\"gold\":3}}");
        append("player:console-bob-" + RUN, "room:hall", "{\"y\":1}");
        browser.until(UI, "four events in the tail", d -> rowsOf("player:console-").size() == 4);
        browser.screenshot("tail");
    }

    @Test
    @Order(2)
    void openTheEntityAndVerifyItsChain() throws Exception {
        rowsOf(entity).get(0).findElement(By.cssSelector("a")).click();
        browser.until(UI, "the entity's three events", d -> browser.all("tr[data-seq]").size() == 3);
        browser.find("[data-testid=verify]").click();
        WebElement result = browser.untilText(UI, "[data-testid=verify-result]", "Chain valid");
        assertTrue(result.getText().contains("3 event(s)"), result::getText);
        browser.find("tr[data-seq='1'] details summary").click(); // open one payload
        browser.screenshot("entity");
    }

    @Test
    @Order(3)
    void pauseAppendFiveResumeAndSeeAllFiveExactlyOnce() throws Exception {
        go("#/tail");
        String prefix = "pause-" + RUN + ":";
        WebElement field = browser.until(UI, "the entity prefix field", d -> browser.all("input[name=entityPrefix]").stream().findFirst().orElse(null));
        field.clear();
        field.sendKeys(prefix);
        browser.find("form.filters button[type=submit]").click();
        browser.until(UI, "the filtered tail to go live", d -> tailStatus().equals("Live"));
        // Pause and resume with the keyboard: the button is a real <button>, Space presses it.
        browser.find("[data-testid=pause]").sendKeys(Keys.SPACE);
        browser.until(UI, "the tail to pause", d -> tailStatus().equals("Paused"));
        assertEquals("true", browser.find("[data-testid=pause]").getAttribute("aria-pressed"));
        Set<Long> appended = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            appended.add(append(prefix + (i % 2), "room:pause", "{\"i\":" + i + "}").getJsonNumber("globalSequence").longValue());
        }
        Thread.sleep(1000);
        assertEquals(0, rowsOf(prefix).size(), "nothing is shown while paused");
        browser.find("[data-testid=pause]").sendKeys(Keys.ENTER);
        browser.until(UI, "the five events after resume", d -> rowsOf(prefix).size() >= 5);
        Thread.sleep(1500); // a duplicate would arrive by now
        List<Long> shown = new ArrayList<>();
        for (WebElement r : rowsOf(prefix)) {
            shown.add(Long.parseLong(r.getAttribute("data-gs")));
        }
        assertEquals(5, shown.size(), () -> "exactly five rows: " + shown);
        assertEquals(appended, new HashSet<>(shown), "the five appended events, each once");
        assertEquals("Live", tailStatus());
    }

    @Test
    @Order(4)
    void theScopeAndKindFiltersAreAppliedByTheServer() throws Exception {
        String scope = "room:filter-" + RUN;
        WebElement scopeField = browser.find("input[name=scope]");
        scopeField.clear();
        scopeField.sendKeys(scope);
        browser.find("input[name=entityPrefix]").clear();
        WebElement kind = browser.find("input[name=kind]");
        kind.clear();
        kind.sendKeys("0xF00Z");
        browser.find("form.filters button[type=submit]").click();
        browser.untilText(UI, "#kind-error", "Kind must be a number");
        assertEquals("true", kind.getAttribute("aria-invalid"));
        kind.clear();
        kind.sendKeys("0xF002", Keys.ENTER); // Enter submits the form
        browser.until(UI, "the filtered tail to go live", d -> tailStatus().equals("Live"));
        api.post("events", "{\"entity\":\"f:" + RUN + "\",\"scope\":\"" + scope + "\",\"kind\":61441,\"payload\":{}}");
        api.post("events", "{\"entity\":\"f:" + RUN + "\",\"scope\":\"room:other\",\"kind\":61442,\"payload\":{}}");
        JsonObject wanted = api.post("events", "{\"entity\":\"f:" + RUN + "\",\"scope\":\"" + scope
                + "\",\"kind\":61442,\"payload\":{\"wanted\":true}}").json();
        browser.until(UI, "the one matching event", d -> rowsOf("f:").size() == 1);
        Thread.sleep(500);
        List<WebElement> rows = rowsOf("f:");
        assertEquals(1, rows.size(), "only the event of that scope and kind");
        assertEquals(Long.toString(wanted.getJsonNumber("globalSequence").longValue()), rows.get(0).getAttribute("data-gs"));
    }

    @Test
    @Order(5)
    void everyViewHasLabelledFieldsAndTakesFocusOnItsHeading() {
        for (String view : List.of("#/entity", "#/streams", "#/groups", "#/dashboard", "#/health", "#/tail")) {
            go(view);
            browser.until(UI, view + " focused on its heading",
                    d -> Boolean.TRUE.equals(browser.script("return document.activeElement && document.activeElement.tagName === 'H1'")));
            Object unlabelled = browser.script("return [...document.querySelectorAll('main input, main select, main textarea')]"
                    + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name)");
            assertEquals(List.of(), unlabelled, view + ": fields without a label");
            assertEquals("page", browser.find("#nav a[href='" + view + "']").getAttribute("aria-current"), view + " marked current");
        }
        // The skip link is the first focusable element and moves focus to the content without leaving the view.
        assertEquals("Skip to content", browser.script("return document.querySelector("
                + "'a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])').textContent"));
        browser.script("document.querySelector('.skip').focus()");
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        assertEquals("main", browser.script("return document.activeElement.id"));
        assertTrue(browser.driver().getCurrentUrl().endsWith("#/tail"), browser.driver().getCurrentUrl());
    }

    @Test
    @Order(6)
    void aGroupsLagFallsAsAConsumerAcks() throws Exception {
        String stream = "orders-" + RUN;
        assertEquals(201, put("streams/" + stream, "{\"partitions\":3}").status());
        int configured = put("streams/" + stream + "/groups/billing", "{\"ackTimeoutMs\":60000,\"maxInFlight\":100}").status();
        assertTrue(configured == 200 || configured == 201, "configure the group: " + configured);
        for (int i = 0; i < 6; i++) {
            Http.Reply r = api.post("streams/" + stream + "/events", "{\"key\":\"order-" + i + "\",\"kind\":61441,\"payload\":{\"total\":" + (i * 10) + "}}");
            assertEquals(201, r.status(), () -> "publish: " + r);
        }
        go("#/streams/" + stream);
        browser.until(UI, "three partition heads", d -> browser.all("[data-testid=heads] tbody tr").size() == 3);
        browser.untilText(UI, "main h2", "6 event(s)");
        browser.untilText(UI, "ul.links a", "billing");
        browser.screenshot("streams");
        // A partition links to its entity page: its events are the partition's offsets 0..head-1.
        // (The view re-renders every 5 s: read and click inside until(), which retries a stale element.)
        int[] busiest = browser.until(UI, "the busiest partition", d -> {
            int[] best = {-1, -1};
            for (WebElement r : browser.all("[data-testid=heads] tbody tr")) {
                int h = Integer.parseInt(r.findElements(By.cssSelector("td")).get(1).getText());
                if (h > best[1]) {
                    best = new int[] {Integer.parseInt(r.getAttribute("data-partition")), h};
                }
            }
            return best[0] < 0 ? null : best;
        });
        int head = busiest[1];
        browser.until(UI, "a click on partition " + busiest[0], d -> {
            browser.find("[data-testid=heads] tr[data-partition='" + busiest[0] + "'] a").click();
            return true;
        });
        browser.until(UI, "the partition's " + head + " events", d -> browser.all("tr[data-seq]").size() == head);
        browser.find("[data-testid=verify]").click();
        browser.untilText(UI, "[data-testid=verify-result]", "Chain valid: " + head + " event(s)");

        go("#/groups/" + stream + "/billing");
        browser.untilText(UI, "[data-total=lag]", "6");
        Http.Reply polled = api.post("streams/" + stream + "/groups/billing/poll", "{\"consumer\":\"c1\",\"max\":10,\"waitMs\":1000}");
        assertEquals(200, polled.status(), () -> "poll: " + polled);
        JsonArray deliveries = polled.json().getJsonArray("deliveries");
        assertEquals(6, deliveries.size(), "six deliveries");
        List<String> ids = new ArrayList<>();
        for (JsonValue d : deliveries) {
            ids.add(d.asJsonObject().getString("deliveryId"));
        }
        browser.untilText(UI, "[data-total=inFlight]", "6");
        ack(stream, ids.subList(0, 4));
        browser.untilText(UI, "[data-total=lag]", "2");
        browser.untilText(UI, "[data-total=inFlight]", "2");
        browser.screenshot("groups");
        ack(stream, ids.subList(4, 6));
        browser.untilText(UI, "[data-total=lag]", "0");
    }

    private static void ack(String stream, List<String> ids) {
        Http.Reply r = api.post("streams/" + stream + "/groups/billing/ack",
                "{\"deliveryIds\":[\"" + String.join("\",\"", ids) + "\"]}");
        assertEquals(200, r.status(), () -> "ack: " + r);
        assertEquals(ids.size(), r.json().getInt("acked"), () -> "acked: " + r);
    }

    @Test
    @Order(7)
    void theDashboardChartsTheStatsAndTheHealthViewShowsReady() throws Exception {
        go("#/dashboard");
        // Some load while the page samples, so the append-rate chart has something to draw.
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 10; j++) {
                append("load:" + RUN + ":" + j, "room:load", "{\"n\":" + i + "}");
            }
            Thread.sleep(400);
        }
        browser.untilText(UI, "[data-testid=ready]", "UP");
        assertEquals(3, browser.all("figure.chart svg polyline").size(), "three charts drawn");
        // The tile re-renders at every sample: read it inside a wait, which retries a stale element.
        long events = browser.until(UI, "the events tile to show at least 90 events", d -> {
            long shown = Long.parseLong(d.findElement(By.cssSelector("[data-field=events]")).getText().replace(",", ""));
            return shown >= 90 ? shown : null;
        });
        assertTrue(events >= 90, "events tile: " + events);
        browser.screenshot("dashboard");

        go("#/health");
        browser.untilText(UI, "[data-testid=health-ready]", "UP");
        browser.untilText(UI, "[data-testid=health-live]", "UP");
        browser.screenshot("health");

        browser.size(390, 844); // a phone
        go("#/tail");
        browser.until(UI, "the tail to go live", d -> tailStatus().equals("Live"));
        browser.screenshot("tail-phone");
        browser.size(1280, 800);
    }

    @Test
    @Order(8)
    void aTokenWithoutRolesGetsAClearForbiddenAndABadTokenAClearUnauthenticated() throws Exception {
        browser.find("#sign-out").click();
        browser.until(UI, "signed out", d -> !browser.find("#who").isDisplayed() && !browser.find("#nav").isDisplayed());
        assertEquals(null, browser.script("return sessionStorage.getItem('batpak.console.token')"), "the token is forgotten");
        signIn("not-a-jwt");
        browser.untilText(UI, ".problem[data-status='401']", "the token was not accepted");
        assertTrue(browser.all("[data-testid=tail-table]").isEmpty(), "still on the sign-in page");
        browser.screenshot("sign-in-401");

        String noRoles = Tokens.forServer(dataDir, "batpak").token("nobody-" + RUN, List.of(), null);
        signIn(noRoles);
        WebElement problem = browser.untilText(UI, ".problem[data-status='403']", "Forbidden");
        assertTrue(problem.getText().contains("lacks the role"), problem::getText);
        assertEquals("Stopped", tailStatus(), "the tail does not retry a 403");
        assertTrue(rowsOf("").isEmpty(), "nothing seen with the admin token is left on screen");
        browser.untilText(UI, "#who-name", "nobody-" + RUN);
        browser.screenshot("forbidden");
    }
}
