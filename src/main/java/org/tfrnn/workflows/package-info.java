/**
 * The end-to-end jobs the command line runs, each callable from Java with its result returned for
 * tests: train a preset as its notebook does ({@link org.tfrnn.workflows.PresetRun}: fetch, load,
 * build, restore, train, evaluate, demo, export), evaluate any classifier SavedModel on labelled
 * data, and notebook 002's small demos, with the notebooks' log lines. Named for what it holds
 * (workflows composed from the packages below) rather than for the verb "run". Lines go to a
 * consumer; only the CLI prints. It may use {@code data}, {@code nn}, {@code train}, {@code
 * models}, {@code savedmodel}, {@code inference} and {@code tensors}, never {@code serve} or
 * {@code cli}.
 */
package org.tfrnn.workflows;
