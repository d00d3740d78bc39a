/**
 * The gateway's entry point ({@link io.strata.gateway.Main}, the {@code strata} command table) and
 * wiring ({@link io.strata.gateway.StrataServer}), and nothing else: each concern has its package
 * below ({@code config}, {@code http}, {@code s3}, {@code s3.handler}, {@code s3.xml}, {@code objects},
 * {@code admin}, {@code cli}, {@code metrics}, {@code xml}), and no package depends on this one.
 * Objective-based placement lives in the tiering module (io.strata.tiering.placement); the wiring
 * hands it the data plane's move paths and hands the data plane its "keeps hot?" answer. PackageCyclesTest keeps the package graph free of cycles.
 */
package io.strata.gateway;
