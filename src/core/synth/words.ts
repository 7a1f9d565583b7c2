// Word pools for the procedural tool-domain generator (issue 11). Plain English pieces that tool schemas and
// requests are built from. Deliberately generic: the nouns below are *not* the ones of sample-workspace/ or
// test/fixtures/domain2/ (weather, thermostat, events, messages, music, timers, restaurants, taxis, currency, to-dos,
// orders, carts, coupons, returns, shipping, store stock, callbacks), so those two domains stay unseen and can measure
// transfer (test/unit/core/synth/unseen.test.ts checks it over thousands of generated domains).

/** Actions a tool can perform: the verb in its name, synonyms a request may use instead, and the description's verb. */
export interface Verb { name: string; says: readonly string[]; describe: string }

export const VERBS: readonly Verb[] = [
  { name: 'create', says: ['create', 'make', 'add', 'set up', 'open'], describe: 'Create' },
  { name: 'delete', says: ['delete', 'remove', 'erase', 'drop'], describe: 'Delete' },
  { name: 'update', says: ['update', 'change', 'edit', 'modify'], describe: 'Update' },
  { name: 'find', says: ['find', 'search for', 'look up', 'locate'], describe: 'Find' },
  { name: 'list', says: ['list', 'show', 'show me all', 'give me the list of'], describe: 'List' },
  { name: 'cancel', says: ['cancel', 'call off', 'stop'], describe: 'Cancel' },
  { name: 'book', says: ['book', 'reserve', 'schedule'], describe: 'Book' },
  { name: 'share', says: ['share', 'forward', 'pass on'], describe: 'Share' },
  { name: 'archive', says: ['archive', 'file away', 'put away'], describe: 'Archive' },
  { name: 'rename', says: ['rename', 'retitle'], describe: 'Rename' },
  { name: 'assign', says: ['assign', 'hand over', 'give'], describe: 'Assign' },
  { name: 'approve', says: ['approve', 'accept', 'sign off'], describe: 'Approve' },
  { name: 'reject', says: ['reject', 'decline', 'turn down'], describe: 'Reject' },
  { name: 'export', says: ['export', 'download', 'save out'], describe: 'Export' },
  { name: 'import', says: ['import', 'upload', 'load in'], describe: 'Import' },
  { name: 'check', says: ['check', 'verify', 'inspect'], describe: 'Check' },
  { name: 'count', says: ['count', 'tally', 'how many are'], describe: 'Count' },
  { name: 'print', says: ['print', 'print out'], describe: 'Print' },
  { name: 'restart', says: ['restart', 'reboot', 'reset'], describe: 'Restart' },
  { name: 'pause', says: ['pause', 'hold', 'suspend'], describe: 'Pause' },
  { name: 'resume', says: ['resume', 'continue', 'unpause'], describe: 'Resume' },
  { name: 'translate', says: ['translate', 'convert'], describe: 'Translate' },
  { name: 'summarize', says: ['summarize', 'sum up', 'give a summary of'], describe: 'Summarize' },
  { name: 'rate', says: ['rate', 'score', 'review'], describe: 'Rate' },
  { name: 'lock', says: ['lock', 'secure'], describe: 'Lock' },
  { name: 'unlock', says: ['unlock', 'open up'], describe: 'Unlock' },
  { name: 'copy', says: ['copy', 'duplicate', 'clone'], describe: 'Copy' },
  { name: 'move', says: ['move', 'relocate', 'transfer'], describe: 'Move' },
  { name: 'get', says: ['get', 'fetch', 'retrieve', 'show me'], describe: 'Get' },
  { name: 'report', says: ['report', 'flag', 'file a report on'], describe: 'Report' },
  { name: 'subscribe', says: ['subscribe to', 'follow', 'sign up for'], describe: 'Subscribe to' },
  { name: 'renew', says: ['renew', 'extend'], describe: 'Renew' },
  { name: 'register', says: ['register', 'enroll', 'sign up'], describe: 'Register' },
  { name: 'ship', says: ['ship', 'dispatch', 'send out'], describe: 'Ship' },
  { name: 'pay', says: ['pay', 'settle', 'pay off'], describe: 'Pay' },
  { name: 'scan', says: ['scan', 'digitize'], describe: 'Scan' },
  { name: 'water', says: ['water', 'irrigate'], describe: 'Water' },
  { name: 'feed', says: ['feed', 'give food to'], describe: 'Feed' },
  { name: 'clean', says: ['clean', 'tidy', 'wash'], describe: 'Clean' },
  { name: 'measure', says: ['measure', 'gauge'], describe: 'Measure' },
];

/** Things tools act on (singular, plural). Chosen away from the held-out domains' nouns (see the file comment). */
export const NOUNS: ReadonlyArray<readonly [string, string]> = [
  ['ticket', 'tickets'], ['invoice', 'invoices'], ['document', 'documents'], ['folder', 'folders'], ['file', 'files'],
  ['playlist', 'playlists'], ['photo', 'photos'], ['album', 'albums'], ['note', 'notes'], ['contact', 'contacts'],
  ['meeting room', 'meeting rooms'], ['flight', 'flights'], ['hotel room', 'hotel rooms'], ['rental car', 'rental cars'],
  ['parcel', 'parcels'], ['subscription', 'subscriptions'], ['account', 'accounts'], ['password', 'passwords'],
  ['device', 'devices'], ['printer', 'printers'], ['server', 'servers'], ['database', 'databases'], ['backup', 'backups'],
  ['report', 'reports'], ['survey', 'surveys'], ['recipe', 'recipes'], ['workout', 'workouts'], ['plant', 'plants'],
  ['pet', 'pets'], ['appointment', 'appointments'], ['prescription', 'prescriptions'], ['course', 'courses'],
  ['lesson', 'lessons'], ['book', 'books'], ['podcast', 'podcasts'], ['video', 'videos'], ['article', 'articles'],
  ['comment', 'comments'], ['review', 'reviews'], ['project', 'projects'], ['task', 'tasks'], ['issue', 'issues'],
  ['branch', 'branches'], ['deployment', 'deployments'], ['container', 'containers'], ['user', 'users'],
  ['team', 'teams'], ['budget', 'budgets'], ['expense', 'expenses'], ['payment', 'payments'], ['loan', 'loans'],
  ['vehicle', 'vehicles'], ['bike', 'bikes'], ['parking spot', 'parking spots'], ['locker', 'lockers'],
  ['garden bed', 'garden beds'], ['aquarium', 'aquariums'], ['recording', 'recordings'], ['camera', 'cameras'],
  ['alarm', 'alarms'], ['light', 'lights'], ['door', 'doors'], ['window blind', 'window blinds'], ['sensor', 'sensors'],
  ['shift', 'shifts'], ['vacation request', 'vacation requests'], ['candidate', 'candidates'], ['job posting', 'job postings'],
  ['lead', 'leads'], ['campaign', 'campaigns'], ['newsletter', 'newsletters'], ['coupon book', 'coupon books'],
  ['warehouse bin', 'warehouse bins'], ['shipment', 'shipments'], ['supplier', 'suppliers'], ['asset', 'assets'],
  ['license', 'licenses'], ['certificate', 'certificates'], ['exam', 'exams'], ['grade', 'grades'], ['class', 'classes'],
  ['patient', 'patients'], ['vaccine record', 'vaccine records'], ['donation', 'donations'], ['volunteer', 'volunteers'],
  ['tournament', 'tournaments'], ['match', 'matches'], ['player', 'players'], ['trail', 'trails'], ['tent site', 'tent sites'],
  ['boat', 'boats'], ['drone', 'drones'], ['satellite image', 'satellite images'], ['dataset', 'datasets'], ['model', 'models'],
  ['poll', 'polls'], ['badge', 'badges'], ['wallet', 'wallets'], ['gift card', 'gift cards'], ['lab sample', 'lab samples'],
];

export const PEOPLE: readonly string[] = [
  'Alice', 'Bruno', 'Chen', 'Dana', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kwame', 'Lena', 'Mateo', 'Noor',
  'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aiko', 'Bilal',
  'Carmen', 'Dmitri', 'Esther', 'Fatima', 'Gustavo', 'Hana', 'Igor', 'Jamal', 'Kirsten', 'Luis', 'Mei', 'Nadia', 'Oscar',
  'Priya', 'Rahul', 'Sofia', 'Tom', 'Ulla', 'Valentina', 'Wojtek', 'Yara', 'Zainab', 'Arjun', 'Beatriz', 'Cyrus', 'Dilnoza',
  'Emeka', 'Freya', 'Gabriel', 'Helga', 'Isaac', 'Jia', 'Kofi', 'Leila', 'Marco', 'Nikolai', 'Orla', 'Pedro', 'Rania',
  'Samir', 'Thandi', 'Ugo', 'Vera', 'William', 'Xu', 'Yosef', 'Zara', 'Ahmed Khan', 'Maria Lopez', 'John Smith',
  'Li Wei', 'Anna Novak', 'Omar Haddad', 'Sara Berg', 'Kenji Sato', 'Lucia Rossi', 'Peter Olsen', 'Amara Obi',
];

export const PLACES: readonly string[] = [
  'Lisbon', 'Nairobi', 'Toronto', 'Kraków', 'Seoul', 'Lima', 'Oslo', 'Cairo', 'Denver', 'Hanoi', 'Porto', 'Quito',
  'Tbilisi', 'Accra', 'Bergen', 'Cork', 'Dakar', 'Edinburgh', 'Fukuoka', 'Graz', 'Hobart', 'Izmir', 'Jaipur', 'Kyoto',
  'Leeds', 'Medellín', 'Nantes', 'Odessa', 'Perth', 'Reno', 'Sapporo', 'Tampere', 'Utrecht', 'Valencia', 'Windhoek',
  'Xalapa', 'Yerevan', 'Zagreb', 'Austin', 'Bologna', 'Chennai', 'Durban', 'Essen', 'Florence', 'Geneva', 'Havana',
  'New York', 'San Diego', 'Buenos Aires', 'Cape Town', 'Mexico City', 'Hong Kong', 'Tel Aviv', 'Rio de Janeiro',
];

export const STREETS: readonly string[] = ['Main Street', 'Oak Avenue', 'Harbour Road', 'Mill Lane', 'Station Square',
  'Park Drive', 'King Street', 'Elm Court', 'River Walk', 'Hill Crescent', 'Market Place', 'Canal Street'];

/** Words for titles, labels and free text. */
export const TEXT_WORDS: readonly string[] = [
  'quarterly', 'budget', 'review', 'team', 'lunch', 'launch', 'plan', 'draft', 'final', 'notes', 'kickoff', 'weekly',
  'sync', 'design', 'sprint', 'retro', 'garden', 'party', 'trip', 'summer', 'winter', 'spring', 'autumn', 'client',
  'call', 'demo', 'training', 'safety', 'check', 'update', 'report', 'sales', 'north', 'south', 'east', 'west', 'night',
  'morning', 'blue', 'green', 'red', 'silver', 'golden', 'old', 'new', 'big', 'small', 'fast', 'quiet', 'bright', 'river',
  'mountain', 'city', 'ocean', 'forest', 'kitchen', 'studio', 'office', 'school', 'family', 'friends', 'birthday',
  'holiday', 'invoice', 'tax', 'rent', 'insurance', 'energy', 'water', 'coffee', 'tea', 'bread', 'market', 'yoga',
  'piano', 'guitar', 'chess', 'tennis', 'soccer', 'running', 'cycling', 'photos', 'videos', 'ideas', 'goals', 'roadmap',
];

/** Short messages (the verbatim free text a request carries). */
export const MESSAGES: readonly string[] = [
  'see you at noon', 'running ten minutes late', 'the files are ready', 'please call me back', 'thanks for the help',
  'the meeting moved to Friday', 'can you bring the charger', 'I will be home soon', 'the package arrived',
  'great job on the demo', 'lunch is on me today', 'do not forget the keys', 'the server is back up', 'happy anniversary',
  'welcome to the team', 'the report needs one more pass', 'pick up milk on the way', 'the build is green again',
  'see the attached draft', 'let us meet at the lobby',
];

/** Generic category-like enums (values a schema lists), by parameter name. */
export const ENUMS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['priority', ['low', 'normal', 'high', 'urgent']],
  ['status', ['open', 'in_progress', 'done', 'blocked']],
  ['color', ['red', 'green', 'blue', 'yellow', 'black', 'white']],
  ['size', ['small', 'medium', 'large', 'extra_large']],
  ['format', ['pdf', 'csv', 'json', 'xlsx', 'txt']],
  ['language', ['english', 'spanish', 'french', 'german', 'japanese', 'hindi']],
  ['visibility', ['public', 'private', 'team_only']],
  ['sort_order', ['newest', 'oldest', 'most_popular', 'alphabetical']],
  ['level', ['beginner', 'intermediate', 'advanced']],
  ['mode', ['eco', 'normal', 'turbo']],
  ['frequency', ['daily', 'weekly', 'monthly', 'yearly']],
  ['seat', ['window', 'aisle', 'middle']],
  ['cabin', ['economy', 'premium_economy', 'business', 'first']],
  ['method', ['card', 'bank_transfer', 'cash', 'paypal']],
  ['region', ['europe', 'asia', 'africa', 'north_america', 'south_america', 'oceania']],
  ['quality', ['low', 'standard', 'high', 'lossless']],
  ['role', ['viewer', 'editor', 'admin', 'owner']],
  ['unit', ['metric', 'imperial']],
  ['channel', ['push', 'text', 'mail', 'chat']],
  ['speed', ['slow', 'medium', 'fast']],
];

/** Polite openers and closers, and filler that carries no value. */
export const OPENERS: readonly string[] = ['', '', '', 'Please ', 'Can you ', 'Could you ', 'Hey, ', 'I need you to ', "I'd like to ",
  'Quick one: ', 'Would you ', 'Go ahead and ', 'Hi! Please ', 'When you can, '];
export const CLOSERS: readonly string[] = ['', '.', '.', '?', ' please.', ', thanks.', ' for me.', ' asap.', ', thank you!', ' now.'];
export const JOINERS: readonly string[] = [' and ', ' and also ', ', then ', '. Also ', ', and ', '; ', ' plus '];

/** Requests that no tool serves (chit-chat, questions outside every domain). */
export const CHATTER: readonly string[] = [
  'Thanks, that is all.', 'What can you do?', 'Tell me a joke.', 'Good morning!', 'How are you today?', 'Never mind.',
  'Who wrote Hamlet?', 'What is the capital of Peru?', 'Explain photosynthesis in one line.', 'Ok, great.',
  'What time zone is Tokyo in?', 'Can you write me a poem about rain?', 'Hello there.', 'Why is the sky blue?',
];

/** Syllables for invented words (names, codes, brands) that the model cannot have memorised: it must copy them. */
export const SYLLABLES: readonly string[] = ['ka', 'lo', 'mi', 'ra', 'ven', 'tor', 'qui', 'zel', 'bar', 'nox', 'pel', 'dra',
  'sun', 'fi', 'gor', 'hal', 'jin', 'mar', 'tes', 'vo', 'wex', 'yor', 'lu', 'ban', 'cri', 'dol', 'ems', 'fra', 'gi', 'ost'];
