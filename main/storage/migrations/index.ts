import type { Migration } from '../migrate';
import m0001 from './0001-settings';
import m0002 from './0002-sessions';
import m0003 from './0003-history-memory';
import m0004 from './0004-bulk-word-index';
import m0005 from './0005-scheduler';
import m0006 from './0006-active-runs';
import m0007 from './0007-word-index-merges';
import m0008 from './0008-run-groups-partial-text-memory-versions';
import m0009 from './0009-surfaces';
import m0010 from './0010-actors';
import m0011 from './0011-chat';
import m0012 from './0012-chat-channels';
import m0013 from './0013-usage';
import m0014 from './0014-voice-settings';
import m0015 from './0015-job-approvals';
import m0016 from './0016-reports';
import m0017 from './0017-inbox-push';
import m0018 from './0018-session-worktrees';
import m0019 from './0019-task-replies';
import m0020 from './0020-chat-parts';
import m0021 from './0021-forgotten-transcripts';
import m0022 from './0022-job-folder-rule';

/** In order; a test checks that every numbered file in this folder is listed here. */
export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015, m0016, m0017, m0018, m0019, m0020, m0021, m0022];
