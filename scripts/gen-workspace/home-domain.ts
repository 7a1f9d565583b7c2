// The sample workspace's domain: a home and personal assistant (weather, thermostat, calendar, messages, music,
// timers, restaurants, taxis, currency, to-dos). Every argument value appears verbatim in the request, so a small
// model can learn to copy it; defaults are expressed with `optional` (e.g. unit "celsius" may be left out) and
// abbreviations with `accept`.
import type { ExpectedCall, Json } from '../../src/core/types';
import { type Ask, type Domain, type Rng, cap, fn } from './domain';

const CITIES = ['Paris', 'London', 'Berlin', 'Madrid', 'Rome', 'Lisbon', 'Vienna', 'Prague', 'Dublin', 'Oslo', 'Stockholm', 'Helsinki', 'Warsaw', 'Athens', 'Zurich', 'Amsterdam', 'Brussels', 'Copenhagen', 'Budapest', 'Munich', 'Milan', 'Barcelona', 'Seville', 'Porto', 'Lyon', 'Marseille', 'Hamburg', 'Edinburgh', 'Manchester', 'Toronto', 'Montreal', 'Vancouver', 'Chicago', 'Boston', 'Seattle', 'Denver', 'Austin', 'Miami', 'Tokyo', 'Osaka', 'Seoul', 'Singapore', 'Sydney', 'Melbourne', 'Auckland', 'Cape Town', 'Nairobi', 'Cairo', 'Istanbul', 'Dubai', 'Mumbai', 'Bangkok', 'Hanoi', 'Lima', 'Bogota', 'Santiago', 'Mexico City', 'Buenos Aires', 'Reykjavik', 'Krakow'];
const NAMES = ['Alice', 'Bob', 'Carla', 'David', 'Emma', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wei', 'Yara', 'Zoe', 'Mom', 'Dad', 'Grandma', 'Lena', 'Marco', 'Nina', 'Oscar', 'Priya', 'Ravi', 'Sofia', 'Theo'];
const ROOMS = ['living room', 'bedroom', 'kitchen', 'office', 'bathroom', 'kids room'];
const MESSAGES = ['running 10 minutes late', 'dinner is ready', 'call me when you land', 'the keys are under the mat', 'see you at the station', 'happy birthday', 'can you pick up milk', 'meeting moved to Friday', 'I left the report on your desk', 'thanks for today', 'the plumber comes at noon', 'don\'t forget the tickets', 'I am on my way', 'lunch at the usual place', 'the package arrived'];
const MUSIC = ['jazz', 'lo-fi beats', 'Miles Davis', 'classical piano', 'Taylor Swift', 'rain sounds', 'Beethoven', 'the Beatles', 'bossa nova', 'Daft Punk', 'country hits', 'Nina Simone', 'ambient music', 'Bach cello suites', 'reggae', 'Radiohead', 'salsa', 'Adele', 'white noise', 'Queen'];
const EVENTS = ['Budget review', 'Dentist', 'Team standup', 'Yoga class', 'Lunch with Sam', 'Project kickoff', 'Parent meeting', 'Haircut', 'Book club', '1:1 with Maya', 'Flight to Rome', 'Car service', 'Piano lesson', 'Quarterly planning', 'Vet appointment', 'Coffee with Hugo'];
const RESTAURANTS = ['Chez Marie', 'Sakura Sushi', 'Luigi\'s Trattoria', 'The Green Fork', 'Blue Lagoon Grill', 'Taj Palace', 'El Toro', 'Noodle Bar 88', 'The Old Mill', 'Casa Verde', 'Pho Saigon', 'Bistro Nord'];
const STREETS = ['12 Baker Street', '221 Oak Avenue', '5 Station Road', '48 Elm Street', '9 Harbour View', '77 Mill Lane', '3 Park Place', '150 King Street', '31 River Road', '18 Church Lane'];
const PLACES = ['the airport', 'the central station', 'City Hospital', 'the conference center', 'the harbour', 'the museum', 'Terminal 2', 'the stadium', 'the university', 'the old town'];
const TODOS = ['buy milk', 'renew passport', 'call the bank', 'water the plants', 'book flights', 'pay the electricity bill', 'clean the garage', 'return library books', 'order new glasses', 'fix the bike', 'send the invoice', 'pick up dry cleaning'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD'];
const DIETS = ['vegetarian', 'vegan', 'gluten-free', 'halal'];
const FACTS = ['the capital of Peru', 'the tallest mountain in Africa', 'the speed of light', 'who painted the Mona Lisa', 'how many bones adults have', 'the boiling point of water', 'who wrote Hamlet', 'the largest ocean', 'how photosynthesis works', 'what a black hole is', 'why the sky is blue', 'how vaccines work'];
const CHAT = ['Thanks, that is all for now!', 'Good morning!', 'You are very helpful.', 'Never mind.', 'Hello there!', 'Okay, cancel that thought.', 'Who are you?', 'What can you do?', 'Have a nice evening!', 'Great, thank you!', 'Tell me a joke.', 'How are you today?'];

function date(r: Rng): string { return `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`; }
function time(r: Rng): string { return `${String(r.int(7, 21)).padStart(2, '0')}:${r.pick(['00', '15', '30', '45'])}`; }
function call(name: string, args: Record<string, Json>, extra: Partial<ExpectedCall> = {}): ExpectedCall { return { name, arguments: args, ...extra }; }

function weather(r: Rng): Ask {
  const city = r.pick(CITIES);
  const v = r.int(0, 3);
  if (v === 0) return { single: r.pick([`What's the weather in ${city}?`, `Weather in ${city}?`, `How is the weather in ${city} right now?`]), clause: `check the weather in ${city}`, call: call('get_weather', { city }) };
  if (v === 1) {
    const unit = r.pick(['celsius', 'fahrenheit']);
    // celsius is the schema default: leaving it out is just as right.
    const extra = unit === 'celsius' ? { optional: ['unit'] } : {};
    return { single: `What's the weather in ${city} in ${unit}?`, clause: `get the weather in ${city} in ${unit}`, call: call('get_weather', { city, unit }, extra) };
  }
  const days = r.int(2, 7);
  return { single: r.pick([`Give me the ${days}-day forecast for ${city}.`, `Forecast for ${city} for the next ${days} days?`]), clause: `get the ${days}-day forecast for ${city}`, call: call('get_weather', { city, days }) };
}

function thermostat(r: Rng): Ask {
  const room = r.pick(ROOMS);
  const temperature = r.pick([18, 19, 20, 21, 22, 23, 24, 19.5, 20.5, 21.5, 22.5]);
  if (r.chance(0.5)) return { single: r.pick([`Set the ${room} to ${temperature} degrees.`, `Make the ${room} ${temperature} degrees please.`]), clause: `set the ${room} to ${temperature} degrees`, call: call('set_thermostat', { room, temperature }) };
  const mode = r.pick(['heat', 'cool', 'auto']);
  const verb = mode === 'auto' ? `Set the ${room} to ${temperature} degrees in auto mode` : `${cap(mode)} the ${room} to ${temperature} degrees`;
  return { single: `${verb}.`, clause: verb.charAt(0).toLowerCase() + verb.slice(1), call: call('set_thermostat', { room, temperature, mode }) };
}

function event(r: Rng): Ask {
  const title = r.pick(EVENTS), d = date(r), t = time(r);
  const v = r.int(0, 2);
  if (v === 0) return { single: `Add ${title} to my calendar on ${d} at ${t}.`, clause: `add ${title} to my calendar on ${d} at ${t}`, call: call('create_event', { title, date: d, time: t }) };
  if (v === 1) {
    const m = r.pick([15, 30, 45, 60, 90, 120]);
    return { single: `Schedule ${title} on ${d} at ${t} for ${m} minutes.`, clause: `schedule ${title} on ${d} at ${t} for ${m} minutes`, call: call('create_event', { title, date: d, time: t, duration_minutes: m }) };
  }
  const a = r.pick(NAMES);
  let b = r.pick(NAMES);
  if (b === a) b = 'Theo' === a ? 'Sam' : 'Theo';
  return { single: `Create an event ${title} on ${d} at ${t} with ${a} and ${b}.`, clause: `create an event ${title} on ${d} at ${t} with ${a} and ${b}`, call: call('create_event', { title, date: d, time: t, attendees: [a, b] }) };
}

function message(r: Rng): Ask {
  const recipient = r.pick(NAMES), text = r.pick(MESSAGES);
  const v = r.int(0, 3);
  if (v === 0) return { single: `Tell ${recipient} ${text}.`, clause: `tell ${recipient} ${text}`, call: call('send_message', { recipient, text }) };
  const channel = ['sms', 'email', 'slack'][v - 1]!;
  const verb = { sms: 'text', email: 'email', slack: 'slack' }[channel]!;
  return { single: `${cap(verb)} ${recipient}: ${text}.`, clause: `${verb} ${recipient} that ${text}`, call: call('send_message', { recipient, text, channel }) };
}

function music(r: Rng): Ask {
  const query = r.pick(MUSIC);
  const v = r.int(0, 2);
  if (v === 0) return { single: r.pick([`Play ${query}.`, `Put on some ${query}.`]), clause: `play ${query}`, call: call('play_music', { query }) };
  if (v === 1) { const room = r.pick(ROOMS); return { single: `Play ${query} in the ${room}.`, clause: `play ${query} in the ${room}`, call: call('play_music', { query, room }) }; }
  const volume = r.pick([10, 20, 25, 30, 40, 50, 60, 70, 80]);
  return { single: `Play ${query} at volume ${volume}.`, clause: `play ${query} at volume ${volume}`, call: call('play_music', { query, volume }) };
}

function timer(r: Rng): Ask {
  const minutes = r.pick([1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 45, 60, 90]);
  if (r.chance(0.5)) return { single: r.pick([`Set a timer for ${minutes} minutes.`, `Timer ${minutes} minutes please.`]), clause: `set a timer for ${minutes} minutes`, call: call('set_timer', { minutes }) };
  const label = r.pick(['pasta', 'eggs', 'laundry', 'tea', 'pizza', 'workout', 'nap', 'bread', 'rice', 'homework']);
  return { single: `Set a ${minutes} minute timer for the ${label}.`, clause: `set a ${minutes} minute timer for the ${label}`, call: call('set_timer', { minutes, label }) };
}

function restaurant(r: Rng): Ask {
  const name = r.pick(RESTAURANTS), n = r.int(1, 10), d = date(r), t = time(r);
  const base = { restaurant: name, party_size: n, date: d, time: t };
  const v = r.int(0, 2);
  if (v === 0) return { single: `Book a table at ${name} for ${n} on ${d} at ${t}.`, clause: `book a table at ${name} for ${n} on ${d} at ${t}`, call: call('book_restaurant', base) };
  if (v === 1) {
    const seating = r.pick(['indoor', 'outdoor', 'bar']);
    return { single: `Reserve ${name} for ${n} people on ${d} at ${t}, ${seating} seating.`, clause: `reserve ${name} for ${n} people on ${d} at ${t} with ${seating} seating`, call: call('book_restaurant', { ...base, preferences: { seating } }) };
  }
  const diet = r.pick(DIETS);
  return { single: `Book ${name} for ${n} on ${d} at ${t}, we need ${diet} options.`, clause: `book ${name} for ${n} on ${d} at ${t} with ${diet} options`, call: call('book_restaurant', { ...base, preferences: { dietary: [diet] } }) };
}

function taxi(r: Rng): Ask {
  const address = r.pick(STREETS), destination = r.pick(PLACES);
  // "the airport" and "airport" name the same place: both are acceptable.
  const accept = destination.startsWith('the ') ? { accept: { destination: [destination.slice(4)] } } : {};
  const v = r.int(0, 2);
  if (v === 0) return { single: `Get me a taxi from ${address} to ${destination}.`, clause: `get me a taxi from ${address} to ${destination}`, call: call('order_taxi', { pickup: { address }, destination }, accept) };
  if (v === 1) { const t = time(r); return { single: `Order a taxi from ${address} at ${t} to ${destination}.`, clause: `order a taxi from ${address} at ${t} to ${destination}`, call: call('order_taxi', { pickup: { address, time: t }, destination }, accept) }; }
  const car_type = r.pick(['standard', 'xl', 'premium']);
  const extra = car_type === 'standard' ? { ...accept, optional: ['car_type'] } : accept;
  return { single: `Book a ${car_type} car from ${address} to ${destination}.`, clause: `book a ${car_type} car from ${address} to ${destination}`, call: call('order_taxi', { pickup: { address }, destination, car_type }, extra) };
}

function currency(r: Rng): Ask {
  const amount = r.pick([5, 10, 20, 25, 50, 75, 100, 120, 150, 200, 250, 300, 500, 750, 1000, 1500, 2000, 12.5, 99.99]);
  const from = r.pick(CURRENCIES);
  let to = r.pick(CURRENCIES);
  if (to === from) to = from === 'EUR' ? 'USD' : 'EUR';
  return { single: r.pick([`Convert ${amount} ${from} to ${to}.`, `How much is ${amount} ${from} in ${to}?`]), clause: `convert ${amount} ${from} to ${to}`, call: call('convert_currency', { amount, from, to }) };
}

function todo(r: Rng): Ask {
  const item = r.pick(TODOS);
  const v = r.int(0, 2);
  if (v === 0) return { single: r.pick([`Add a to-do: ${item}.`, `New to-do: ${item}.`]), clause: `add a to-do to ${item}`, call: call('add_todo', { item }) };
  if (v === 1) {
    const priority = r.pick(['low', 'medium', 'high']);
    const extra = priority === 'medium' ? { optional: ['priority'] } : {};
    return { single: `Add a ${priority} priority to-do: ${item}.`, clause: `add a ${priority} priority to-do to ${item}`, call: call('add_todo', { item, priority }, extra) };
  }
  const d = date(r);
  return { single: `Remind me to ${item} by ${d}.`, clause: `remind me to ${item} by ${d}`, call: call('add_todo', { item, due_date: d }) };
}

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'date as YYYY-MM-DD' };
const TIME = { type: 'string', pattern: '^\\d{2}:\\d{2}$', description: '24-hour time as HH:MM' };

export const homeDomain: Domain = {
  name: 'home',
  tools: [
    fn('get_weather', 'Current weather or a multi-day forecast for a city.', {
      city: { type: 'string', description: 'city name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
      days: { type: 'integer', minimum: 1, maximum: 7, description: 'forecast length in days' },
    }, ['city']),
    fn('set_thermostat', 'Set the target temperature of a room.', {
      room: { type: 'string', enum: ROOMS },
      temperature: { type: 'number', minimum: 10, maximum: 30, description: 'degrees celsius' },
      mode: { type: 'string', enum: ['heat', 'cool', 'auto'] },
    }, ['room', 'temperature']),
    fn('create_event', 'Create a calendar event.', {
      title: { type: 'string' }, date: DATE, time: TIME,
      duration_minutes: { type: 'integer', minimum: 5, maximum: 480, default: 60 },
      attendees: { type: 'array', items: { type: 'string' } },
    }, ['title', 'date', 'time']),
    fn('send_message', 'Send a message to a contact.', {
      recipient: { type: 'string', description: 'contact name' }, text: { type: 'string' },
      channel: { type: 'string', enum: ['sms', 'email', 'slack'], default: 'sms' },
    }, ['recipient', 'text']),
    fn('play_music', 'Play music on the home speakers.', {
      query: { type: 'string', description: 'artist, genre or track' },
      room: { type: 'string', enum: ROOMS },
      volume: { type: 'integer', minimum: 0, maximum: 100 },
    }, ['query']),
    fn('set_timer', 'Start a countdown timer.', {
      minutes: { type: 'integer', minimum: 1, maximum: 180 }, label: { type: 'string' },
    }, ['minutes']),
    fn('book_restaurant', 'Reserve a table at a restaurant.', {
      restaurant: { type: 'string' }, party_size: { type: 'integer', minimum: 1, maximum: 20 }, date: DATE, time: TIME,
      preferences: { type: 'object', properties: {
        seating: { type: 'string', enum: ['indoor', 'outdoor', 'bar'] },
        dietary: { type: 'array', items: { type: 'string', enum: DIETS } },
      }, additionalProperties: false },
    }, ['restaurant', 'party_size', 'date', 'time']),
    fn('order_taxi', 'Order a taxi.', {
      pickup: { type: 'object', properties: { address: { type: 'string' }, time: TIME }, required: ['address'], additionalProperties: false },
      destination: { type: 'string' },
      car_type: { type: 'string', enum: ['standard', 'xl', 'premium'], default: 'standard' },
    }, ['pickup', 'destination']),
    fn('convert_currency', 'Convert an amount between currencies at today\'s rate.', {
      amount: { type: 'number', exclusiveMinimum: 0 }, from: { type: 'string', enum: CURRENCIES }, to: { type: 'string', enum: CURRENCIES },
    }, ['amount', 'from', 'to']),
    fn('add_todo', 'Add an item to the to-do list.', {
      item: { type: 'string' }, priority: { type: 'string', enum: ['low', 'medium', 'high'], default: 'medium' }, due_date: DATE,
    }, ['item']),
  ],
  intents: [weather, thermostat, event, message, music, timer, restaurant, taxi, currency, todo],
  noCall: (r) => {
    const v = r.int(0, 4);
    if (v === 0) return r.pick(CHAT);
    if (v === 1) return `${r.pick(['Tell me', 'Explain', 'Do you know', 'I wonder about'])} ${r.pick(FACTS)}.`;
    if (v === 2) return `Write a ${r.pick(['short poem', 'haiku', 'limerick', 'toast', 'riddle'])} about ${r.pick([...CITIES, ...MUSIC])}.`;
    if (v === 3) return `What is ${r.int(12, 99)} times ${r.int(12, 99)}?`;
    return `${r.pick(['Recommend a book about', 'Give me tips for visiting', 'What should I pack for', 'Summarize the history of'])} ${r.pick(CITIES)}.`;
  },
  joins: [
    (a, b) => `${cap(a)} and ${b}.`,
    (a, b) => `${cap(a)}, then ${b}.`,
    (a, b) => `Please ${a} and also ${b}.`,
    (a, b) => `Can you ${a} and ${b}?`,
  ],
};
