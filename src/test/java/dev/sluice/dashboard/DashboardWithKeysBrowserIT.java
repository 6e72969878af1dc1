package dev.sluice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Chromium;
import dev.sluice.support.IntegrationTest;

/** With API keys configured, the dashboard shows nothing until it is given an admin key. */
@TestPropertySource(properties = {
        "sluice.security.api-keys[0].name=ops", "sluice.security.api-keys[0].role=admin",
        // sha256 of "ops-key"
        "sluice.security.api-keys[0].hash=sha256:2c69bc9111c27110a9b9a7974ba3f8ac0c053c16b23a0738115ee829fbc4d57b"})
class DashboardWithKeysBrowserIT extends IntegrationTest {

    private static WebDriver browser;

    @BeforeAll
    static void openBrowser() {
        browser = Chromium.start();
    }

    @AfterAll
    static void closeBrowser() {
        browser.quit();
    }

    @Test
    void itAsksForAKeyAndShowsTheQueuesOnceGivenOne() {
        browser.get("http://127.0.0.1:" + port + "/dashboard");

        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("key-form")).isDisplayed());
        assertThat(browser.findElement(By.cssSelector("[data-count=high]")).getText()).isEqualTo("–");

        browser.findElement(By.cssSelector("#key input")).sendKeys("ops-key");
        browser.findElement(By.cssSelector("#key button")).click();

        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector("[data-count=high]"))
                .getText().equals("0"));
        assertThat(browser.findElement(By.id("key-form")).isDisplayed()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> browser.findElement(By.id("live")).getText().equals("live"));
        // the refused requests before the key was given are the only console errors
        assertThat(Chromium.consoleErrors(browser, "401")).isEmpty();
    }
}
