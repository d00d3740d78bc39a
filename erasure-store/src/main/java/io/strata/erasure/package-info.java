/** Strata erasure module. */
package io.strata.erasure;
