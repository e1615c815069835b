#!/usr/bin/env node
/**
 * The `actant` command: `actant worker …`, `actant status …`, `actant submit …`, `actant --help`
 * (see `run.ts` for how a command line is read, `commands.ts` for the commands and their options).
 *
 * @module
 */
import { commandArgs, exitProcess } from "../runtime/process.ts";
import { runActant } from "./run.ts";

const code = await runActant(commandArgs(), { out: (text) => console.log(text), err: (text) => console.error(text) });
exitProcess(code);
