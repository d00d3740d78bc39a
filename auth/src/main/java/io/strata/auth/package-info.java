/** Strata auth module. */
package io.strata.auth;
