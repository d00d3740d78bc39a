/** Strata gateway module. */
package io.strata.gateway;
