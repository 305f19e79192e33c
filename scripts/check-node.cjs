#!/usr/bin/env node
// Runs first in `npm start`, `npm run serve` and `npm test`: on an older Node the native modules
// (better-sqlite3 13 needs N-API 10) crash with a bare "Segmentation fault". Say what is needed
// instead, in one line. Plain CommonJS with old syntax, so that any Node can run it.
var fs = require('fs');
var path = require('path');

var pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
var wanted = /(\d+)\.(\d+)/.exec(pkg.engines.node);
var need = [Number(wanted[1]), Number(wanted[2])];
var have = process.versions.node.split('.').map(Number);
if (have[0] < need[0] || (have[0] === need[0] && have[1] < need[1])) {
  console.error(
    'switchboard: needs Node.js ' + need[0] + '.' + need[1] + ' or newer, this is ' + process.versions.node +
      '. Install Node ' + need[0] + ' LTS (nvm install ' + need[0] + ', or nodejs.org), then run npm ci again.'
  );
  process.exit(1);
}
