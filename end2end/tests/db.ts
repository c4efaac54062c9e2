import { execFileSync } from "node:child_process";
import { DB_FILE } from "../playwright.config";

/** One value straight from the app's SQLite file, read with Python's sqlite3 (independent of the app). */
export function scalar(sql: string): string {
  const script = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])";
  return execFileSync("python3", ["-c", script, DB_FILE, sql]).toString().trim();
}
