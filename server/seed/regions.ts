/**
 * Regional flavour for generated data, keyed by the tenant's IANA time zone:
 * the E.164 format of local phone numbers and the names people and companies
 * have there. Unknown zones fall back to the United States.
 */

export interface Region {
  /** E.164 prefix of local mobile numbers, '+' included (`+447`). */
  phonePrefix: string;
  /** Digits after the prefix (prefix + digits is a valid E.164 number). */
  phoneDigits: number;
  firstNames: readonly string[];
  lastNames: readonly string[];
  companies: readonly string[];
}

const US: Region = {
  phonePrefix: '+1415',
  phoneDigits: 7,
  firstNames: ['James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Linda', 'Daniel', 'Emily',
    'Carlos', 'Maria', 'Kevin', 'Ashley', 'Brian', 'Jessica', 'Jason', 'Sarah', 'Tyler', 'Megan', 'Andre', 'Keisha'],
  lastNames: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
    'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Lee', 'Harris', 'Clark', 'Lewis'],
  companies: ['Brightline Logistics', 'Harbor Dental Group', 'Summit Roofing', 'Pinecrest Realty', 'Bluebird Bakery',
    'Atlas Fitness', 'Keystone Law', 'Redwood Solar', 'Maple Street Cafe', 'Granite Auto Repair', 'Evergreen HVAC'],
};

const UK: Region = {
  phonePrefix: '+447',
  phoneDigits: 9,
  firstNames: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Charlie', 'Grace', 'Thomas',
    'Sophie', 'Alfie', 'Poppy', 'Oscar', 'Freya', 'Arjun', 'Aisha', 'Callum', 'Niamh'],
  lastNames: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Thomas', 'Roberts', 'Walker',
    'Wright', 'Khan', 'Patel', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood', 'Clarke', 'Murphy'],
  companies: ['Thameside Lettings', 'Kestrel Accountants', 'Albion Builders', 'Camden Print Co', 'Hartley Vets',
    'Greenwich Joinery', 'Mersey Freight', 'Oakwood Nurseries', 'Pennine Plumbing', 'Regent Opticians'],
};

const INDIA: Region = {
  phonePrefix: '+919',
  phoneDigits: 9,
  firstNames: ['Priya', 'Rahul', 'Ananya', 'Arjun', 'Sneha', 'Vikram', 'Kavya', 'Rohan', 'Aditi', 'Karan', 'Meera',
    'Siddharth', 'Pooja', 'Aman', 'Divya', 'Nikhil', 'Ishita', 'Varun', 'Neha', 'Suresh'],
  lastNames: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Gupta', 'Nair', 'Singh', 'Kumar', 'Mehta', 'Rao', 'Joshi',
    'Menon', 'Chopra', 'Das', 'Bose', 'Kulkarni', 'Pillai', 'Agarwal'],
  companies: ['Shakti Textiles', 'Ganga Traders', 'Infinity Tech Solutions', 'Lotus Interiors', 'Saffron Foods',
    'Sunrise Diagnostics', 'Vedanta Realty', 'Kaveri Motors', 'Nilgiri Tea Co', 'Deccan Pharma'],
};

const AUSTRALIA: Region = {
  phonePrefix: '+614',
  phoneDigits: 8,
  firstNames: ['Jack', 'Charlotte', 'William', 'Olivia', 'Noah', 'Chloe', 'Liam', 'Matilda', 'Lachlan', 'Ruby',
    'Cooper', 'Zoe', 'Mason', 'Isabella', 'Hamish', 'Sienna'],
  lastNames: ['Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Taylor', 'Nguyen', 'Johnson', 'Martin', 'White',
    'Anderson', 'Walker', 'Thompson', 'Kelly', 'Ryan', 'Chen'],
  companies: ['Bondi Surf Supplies', 'Outback Freight', 'Harbourside Dental', 'Kookaburra Childcare',
    'Southern Cross Solar', 'Eucalypt Landscaping', 'Coral Coast Tours', 'Red Gum Builders'],
};

const GERMANY: Region = {
  phonePrefix: '+4915',
  phoneDigits: 9,
  firstNames: ['Lukas', 'Hannah', 'Leon', 'Mia', 'Finn', 'Emma', 'Jonas', 'Sophie', 'Paul', 'Lea', 'Felix', 'Lena',
    'Maximilian', 'Anna', 'Elias', 'Marie'],
  lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz',
    'Hoffmann', 'Koch', 'Richter', 'Wolf', 'Neumann'],
  companies: ['Rheinland Logistik', 'Alpen Bau GmbH', 'Spree Software', 'Hansa Versicherungsmakler',
    'Schwarzwald Holz', 'Isar Immobilien', 'Elbe Zahnklinik', 'Main Energie'],
};

const BRAZIL: Region = {
  phonePrefix: '+55119',
  phoneDigits: 8,
  firstNames: ['Lucas', 'Ana', 'Gabriel', 'Júlia', 'Pedro', 'Mariana', 'Rafael', 'Beatriz', 'Mateus', 'Larissa',
    'Thiago', 'Camila', 'Felipe', 'Fernanda'],
  lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Lima', 'Pereira', 'Ferreira', 'Costa', 'Rodrigues',
    'Almeida', 'Nascimento', 'Carvalho'],
  companies: ['Paulista Imóveis', 'Ipanema Odonto', 'Verde Vale Agro', 'Tropical Seguros', 'Cerrado Transportes',
    'Atlântico Turismo', 'Minas Café'],
};

const JAPAN: Region = {
  phonePrefix: '+8190',
  phoneDigits: 8,
  firstNames: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi', 'Yuto', 'Sakura', 'Takumi', 'Mei', 'Daiki', 'Rin'],
  lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi',
    'Kato', 'Yoshida', 'Yamada'],
  companies: ['Sakura Realty', 'Fuji Logistics', 'Kyoto Dental Clinic', 'Hikari Solar', 'Tokyo Bay Insurance',
    'Nippon Interiors', 'Osaka Motors'],
};

const UAE: Region = {
  phonePrefix: '+9715',
  phoneDigits: 8,
  firstNames: ['Mohammed', 'Fatima', 'Ahmed', 'Aisha', 'Omar', 'Mariam', 'Khalid', 'Noura', 'Yousef', 'Layla',
    'Rashid', 'Huda', 'Ravi', 'Anjali'],
  lastNames: ['Al Mansouri', 'Al Hashimi', 'Al Suwaidi', 'Khan', 'Haddad', 'Nasser', 'Rahman', 'Saleh', 'Pillai',
    'Fernandes'],
  companies: ['Desert Rose Properties', 'Gulf Star Trading', 'Marina Medical Centre', 'Falcon Logistics',
    'Oasis Interiors', 'Creek Side Motors'],
};

const REGIONS: Record<string, Region> = {
  'America/New_York': US,
  'America/Chicago': { ...US, phonePrefix: '+1312' },
  'America/Los_Angeles': { ...US, phonePrefix: '+1213' },
  'America/Sao_Paulo': BRAZIL,
  'Europe/London': UK,
  'Europe/Berlin': GERMANY,
  'Asia/Kolkata': INDIA,
  'Asia/Dubai': UAE,
  'Asia/Tokyo': JAPAN,
  'Australia/Sydney': AUSTRALIA,
  UTC: US,
};

export function regionFor(timezone: string): Region {
  return REGIONS[timezone] ?? US;
}

/** Time zones cycled through by the scale loader (one region each). */
export const SCALE_TIMEZONES = [
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Asia/Tokyo',
] as const;
