/** Two small databases for aggregate tests: albums by artist (music) and their sales (sales). */
export const MUSIC_SQL = `
CREATE TABLE artist (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE album (id int PRIMARY KEY, artist_id int REFERENCES artist(id), title text NOT NULL, year int, price numeric(6,2));
INSERT INTO artist VALUES (1, 'Abba'), (2, 'Beck'), (3, 'Cher');
INSERT INTO album VALUES (10, 1, 'Arrival', 1976, 9.99), (11, 1, 'Voulez-Vous', 1979, 12.50), (12, 2, 'Odelay', 1996, NULL), (13, 2, 'Sea Change', 2002, 8.00), (14, 2, 'Colors', 2017, 11.00);
`;
export const SALES_SQL = `
CREATE TABLE sale (id int PRIMARY KEY, album_id int, qty int NOT NULL);
INSERT INTO sale VALUES (1, 10, 2), (2, 10, 3), (3, 12, 1), (4, 14, 5), (5, NULL, 7);
`;
