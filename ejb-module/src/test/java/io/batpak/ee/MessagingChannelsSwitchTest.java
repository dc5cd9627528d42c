package io.batpak.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessagingChannelsSwitchTest {
    /** key: batpak.messaging.channels, strict: smallrye-messaging-strict-binding; "-" is unset. */
    @ParameterizedTest(name = "key {0}, strict binding {1} -> channels {2}")
    @CsvSource({"-,-,true", "-,false,true", "-,true,false", "true,true,true", "false,false,false", "false,-,false",
            "true,-,true"})
    void theKeyDecidesAndStrictBindingTurnsThemOffOnlyWhenItIsUnset(String key, String strict, boolean expected) {
        assertEquals(expected, MessagingChannelsSwitch.enabled(flag(key), flag(strict)),
                "MessagingChannelsSwitch.enabled decided wrongly for key=" + key + ", strict=" + strict);
    }

    private static Optional<Boolean> flag(String s) {
        return s.equals("-") ? Optional.empty() : Optional.of(Boolean.parseBoolean(s));
    }
}
