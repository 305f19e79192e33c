import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachePreparedStatements } from './statements';

describe('cachePreparedStatements', () => {
  const open = (limit?: number) => {
    const db = new BetterSqlite3(':memory:');
    cachePreparedStatements(db, limit);
    db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
    return db;
  };

  it('hands out one statement per SQL text', () => {
    const db = open();
    expect(db.prepare('SELECT a FROM t WHERE a = ?')).toBe(db.prepare('SELECT a FROM t WHERE a = ?'));
    expect(db.prepare('SELECT a FROM t WHERE a = ?')).not.toBe(db.prepare('SELECT b FROM t WHERE a = ?'));
  });

  it('gives a statement back in its default modes, whatever the last caller set', () => {
    const db = open();
    expect(db.prepare('SELECT a, b FROM t ORDER BY a').pluck().all()).toEqual([1, 2]);
    expect(db.prepare('SELECT a, b FROM t ORDER BY a').all()).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    expect(db.prepare('SELECT a, b FROM t ORDER BY a').raw().get()).toEqual([1, 'x']);
    expect(db.prepare('SELECT a, b FROM t ORDER BY a').get()).toEqual({ a: 1, b: 'x' });
    // Statements that return nothing have no modes to reset.
    expect(db.prepare('UPDATE t SET b = ? WHERE a = ?').run('z', 1).changes).toBe(1);
    expect(db.prepare('UPDATE t SET b = ? WHERE a = ?').run('w', 2).changes).toBe(1);
  });

  it('keeps the most recently used within its limit', () => {
    const db = open(2);
    const first = db.prepare('SELECT 1');
    db.prepare('SELECT 2');
    expect(db.prepare('SELECT 1')).toBe(first); // used again: now the newest
    db.prepare('SELECT 3'); // pushes out SELECT 2, the least recently used
    expect(db.prepare('SELECT 1')).toBe(first);
    const second = db.prepare('SELECT 2');
    expect(db.prepare('SELECT 3')).not.toBe(second);
    expect(second.pluck().get()).toBe(2);
  });

  it('follows a table rebuilt under a kept statement', () => {
    const db = open();
    expect(db.prepare('SELECT * FROM t WHERE a = 1').get()).toEqual({ a: 1, b: 'x' });
    db.exec("DROP TABLE t; CREATE TABLE t (a INTEGER, c TEXT); INSERT INTO t VALUES (1, 'new')");
    expect(db.prepare('SELECT * FROM t WHERE a = 1').get()).toEqual({ a: 1, c: 'new' });
  });
});
