package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.security.control.FirstUser;
import com.apintake.security.control.FirstUser.Plan;
import org.junit.jupiter.api.Test;

/** No default password: a first user only from ADMIN_USER and ADMIN_PASSWORD, and only while there is none. */
class FirstUserTest {

    @Test
    void createdOnlyFromBothVariablesAndOnlyWithoutUsers() {
        assertThat(FirstUser.plan(0, "ops", "a long secret value")).isEqualTo(Plan.CREATE);
        assertThat(FirstUser.plan(0, null, null)).isEqualTo(Plan.ASK_FOR_ONE);
        assertThat(FirstUser.plan(0, "ops", " ")).isEqualTo(Plan.ASK_FOR_ONE);
        assertThat(FirstUser.plan(0, "", "a long secret value")).isEqualTo(Plan.ASK_FOR_ONE);
        assertThat(FirstUser.plan(3, "ops", "a long secret value")).isEqualTo(Plan.USERS_EXIST);
    }
}
