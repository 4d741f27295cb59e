#!/usr/bin/env python3
"""Generate divnet's shipped demo dataset (SYNTHETIC records only).

What it does
------------
Writes six CSV files under datasets/demo/ of the repository:

    datasets/demo/seizures.csv                     ~2,000 seizure reports
    datasets/demo/looting.csv                      60 stockpile looting incidents
    datasets/demo/routes.csv                       150 trafficking-route reports
    datasets/demo/transfers.csv                    legal arms transfers (state-authorised)
    datasets/demo/events.csv                       conflict events
    datasets/demo/malformed/seizures_bad_rows.csv  16 rows: 13 with one defect each + 3 valid

Every record is synthetic: no row describes a real incident, facility, person or serial
number. The corridors, proportions and totals are modelled on public figures (US GAO
GAO-21-322; reporting on the 2023 Manipur armoury lootings; UN Panels of Experts on Libya
and on Yemen; Small Arms Survey; Conflict Armament Research; Europol / UNODC). See
datasets/demo/README.md for the sources, the column formats and the planted structure
that a correct analysis should recover.

Place names and coordinates come from a hand-written table below (GeoNames spellings and
coordinates, GeoNames data CC BY 4.0). "exact" points are the town coordinates with at most
~1 km of jitter for inland towns that are far from borders and coasts; the only points at
sea are the naval interdictions of the Iran -> Yemen / Somalia corridor.

How to run
----------
    python3 scripts/demo/make_demo.py            # from the repository root
    python3 scripts/demo/make_demo.py --out DIR  # write DIR/seizures.csv ... instead

Python 3.11+, standard library only. Output is deterministic: a fixed seed for every
random.Random, rows sorted by id, "\\n" line endings, UTF-8 without BOM, floats with fixed
decimals. Running it twice gives byte-identical files. It prints row counts and the
headline checks (share of US-sourced traced firearms in Mexico, Manipur totals) to stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from datetime import date, timedelta
from pathlib import Path

SEED = 20_231_105
LAST_DATE = date(2025, 12, 31)
FIRST_DATE = date(2015, 1, 1)

SEIZURE_COLUMNS = [
    "id", "date", "country", "place", "lat", "lon", "location_precision", "category",
    "quantity", "rounds", "make", "model", "calibre", "serial", "lot",
    "country_of_manufacture", "last_legal_import", "origin", "transit", "destination",
    "traced_incident_id", "transport_mode", "source", "confidence",
]
LOOTING_COLUMNS = [
    "id", "date", "country", "place", "lat", "lon", "location_precision", "facility",
    "facility_type", "perpetrator", "weapons_looted", "rounds_looted", "categories",
    "serial_ranges", "lots", "recovered", "source", "confidence",
]
ROUTE_COLUMNS = [
    "id", "from", "to", "mode", "first_reported", "last_reported", "reports", "volume",
    "confidence", "source",
]
TRANSFER_COLUMNS = [
    "id", "supplier", "recipient", "order_date", "order_date_estimate", "delivery_years",
    "delivery_years_estimate", "designation", "description", "armament_category", "ordered",
    "ordered_estimate", "delivered", "delivered_estimate", "tiv", "status", "via",
    "financed_by", "comments", "source",
]
EVENT_COLUMNS = [
    "id", "date", "country", "place", "lat", "lon", "location_precision", "date_precision",
    "type", "side_a", "side_b", "fatalities", "source",
]

# ---------------------------------------------------------------------------------------
# Gazetteer: key -> (name as written, ISO3, admin1 name, lat, lon, jitter in degrees).
# jitter 0 for towns on a border or a coast (so "exact" points never leave the country).
# ---------------------------------------------------------------------------------------
PLACES: dict[str, tuple[str, str, str, float, float, float]] = {
    # Mexico: northern border cluster
    "Tijuana": ("Tijuana", "MEX", "Baja California", 32.50270, -117.00371, 0.0),
    "Mexicali": ("Mexicali", "MEX", "Baja California", 32.62781, -115.45446, 0.0),
    "Nogales": ("Nogales", "MEX", "Sonora", 31.30862, -110.94217, 0.0),
    "Ciudad Juarez": ("Ciudad Juárez", "MEX", "Chihuahua", 31.72024, -106.46084, 0.0),
    "Nuevo Laredo": ("Nuevo Laredo", "MEX", "Tamaulipas", 27.47629, -99.51639, 0.0),
    "Reynosa": ("Reynosa", "MEX", "Tamaulipas", 26.08005, -98.28456, 0.0),
    "Matamoros": ("Heroica Matamoros", "MEX", "Tamaulipas", 25.87972, -97.50417, 0.0),
    "Piedras Negras": ("Piedras Negras", "MEX", "Coahuila de Zaragoza", 28.70007, -100.52353, 0.0),
    "Ciudad Acuna": ("Ciudad Acuña", "MEX", "Coahuila de Zaragoza", 29.32322, -100.95217, 0.0),
    "Agua Prieta": ("Agua Prieta", "MEX", "Sonora", 31.32240, -109.54251, 0.0),
    "San Luis Rio Colorado": ("San Luis Río Colorado", "MEX", "Sonora", 32.45550, -114.77037, 0.0),
    # Mexico: interior, along the way to Sinaloa, Jalisco, Michoacan, Guerrero
    "Hermosillo": ("Hermosillo", "MEX", "Sonora", 29.08874, -110.96677, 0.01),
    "Chihuahua": ("Chihuahua", "MEX", "Chihuahua", 28.63528, -106.08889, 0.01),
    "Monterrey": ("Monterrey", "MEX", "Nuevo León", 25.68435, -100.31721, 0.01),
    "Torreon": ("Torreón", "MEX", "Coahuila de Zaragoza", 25.54389, -103.41898, 0.01),
    "Saltillo": ("Saltillo", "MEX", "Coahuila de Zaragoza", 25.42595, -100.97963, 0.01),
    "Ciudad Victoria": ("Ciudad Victoria", "MEX", "Tamaulipas", 23.74061, -99.14364, 0.01),
    "Culiacan": ("Culiacán", "MEX", "Sinaloa", 24.80209, -107.39421, 0.01),
    "Mazatlan": ("Mazatlán", "MEX", "Sinaloa", 23.22163, -106.41885, 0.0),
    "Los Mochis": ("Los Mochis", "MEX", "Sinaloa", 25.79097, -108.99825, 0.01),
    "Durango": ("Victoria de Durango", "MEX", "Durango", 24.02032, -104.65756, 0.01),
    "Zacatecas": ("Zacatecas", "MEX", "Zacatecas", 22.76843, -102.58141, 0.01),
    "Guadalajara": ("Guadalajara", "MEX", "Jalisco", 20.67738, -103.34749, 0.01),
    "Puerto Vallarta": ("Puerto Vallarta", "MEX", "Jalisco", 20.61700, -105.23018, 0.0),
    "Morelia": ("Morelia", "MEX", "Michoacán de Ocampo", 19.70078, -101.18443, 0.01),
    "Uruapan": ("Uruapan", "MEX", "Michoacán de Ocampo", 19.41677, -102.05842, 0.01),
    "Apatzingan": ("Apatzingán", "MEX", "Michoacán de Ocampo", 19.08864, -102.35704, 0.01),
    "Acapulco": ("Acapulco de Juárez", "MEX", "Guerrero", 16.84942, -99.90891, 0.0),
    "Chilpancingo": ("Chilpancingo", "MEX", "Guerrero", 17.55228, -99.50124, 0.01),
    "Iguala": ("Iguala de la Independencia", "MEX", "Guerrero", 18.34536, -99.54130, 0.01),
    "Mexico City": ("Mexico City", "MEX", "Ciudad de México", 19.42847, -99.12766, 0.01),
    # United States (outbound inspections, route endpoints)
    "Laredo": ("Laredo", "USA", "Texas", 27.50641, -99.50754, 0.0),
    "El Paso": ("El Paso", "USA", "Texas", 31.75872, -106.48693, 0.0),
    "Tucson": ("Tucson", "USA", "Arizona", 32.22174, -110.92648, 0.01),
    "Phoenix": ("Phoenix", "USA", "Arizona", 33.44838, -112.07404, 0.01),
    "Houston": ("Houston", "USA", "Texas", 29.76328, -95.36327, 0.01),
    "San Diego": ("San Diego", "USA", "California", 32.71571, -117.16472, 0.0),
    "San Antonio": ("San Antonio", "USA", "Texas", 29.42412, -98.49363, 0.01),
    "Dallas": ("Dallas", "USA", "Texas", 32.78306, -96.80667, 0.01),
    # India: Manipur, Mizoram, Assam, Nagaland
    "Imphal": ("Imphal", "IND", "Manipur", 24.80805, 93.94420, 0.01),
    "Churachandpur": ("Churachandpur", "IND", "Manipur", 24.33353, 93.66999, 0.0),
    "Bishnupur": ("Bishnupur", "IND", "Manipur", 24.63000, 93.77000, 0.0),
    "Kangpokpi": ("Kangpokpi", "IND", "Manipur", 25.14000, 93.97000, 0.0),
    "Moreh": ("Moreh", "IND", "Manipur", 24.25080, 94.30073, 0.0),
    "Thoubal": ("Thoubal", "IND", "Manipur", 24.63881, 93.99639, 0.0),
    "Kakching": ("Kakching", "IND", "Manipur", 24.49820, 93.98126, 0.0),
    "Ukhrul": ("Ukhrul", "IND", "Manipur", 25.11957, 94.36417, 0.0),
    "Moirang": ("Moirang", "IND", "Manipur", 24.49750, 93.77791, 0.0),
    "Jiribam": ("Jiribam", "IND", "Manipur", 24.80000, 93.12000, 0.0),
    "Senapati": ("Senapati", "IND", "Manipur", 25.27000, 94.02000, 0.0),
    "Aizawl": ("Aizawl", "IND", "Mizoram", 23.72894, 92.71791, 0.0),
    "Champhai": ("Champhai", "IND", "Mizoram", 23.47000, 93.33000, 0.0),
    "Lunglei": ("Lunglei", "IND", "Mizoram", 22.89247, 92.74218, 0.0),
    "Guwahati": ("Guwahati", "IND", "Assam", 26.18440, 91.74580, 0.0),
    "Silchar": ("Silchar", "IND", "Assam", 24.82733, 92.79787, 0.0),
    "Dimapur": ("Dimapur", "IND", "Nāgāland", 25.91174, 93.72170, 0.0),
    "Kohima": ("Kohima", "IND", "Nāgāland", 25.67467, 94.11099, 0.0),
    # Myanmar (route endpoints)
    "Tamu": ("Tamu", "MMR", "Sagaing", 24.21663, 94.31216, 0.0),
    "Kalemyo": ("Kalemyo", "MMR", "Sagaing", 23.19014, 94.06405, 0.0),
    "Mandalay": ("Mandalay", "MMR", "Mandalay", 21.97473, 96.08359, 0.0),
    # Libya
    "Tripoli": ("Tripoli", "LBY", "Ţarābulus", 32.88743, 13.18733, 0.0),
    "Benghazi": ("Benghazi", "LBY", "Banghāzī", 32.11486, 20.06859, 0.0),
    "Sabha": ("Sabha", "LBY", "Sabhā", 27.03766, 14.42832, 0.01),
    "Misratah": ("Misratah", "LBY", "Mişrātah", 32.37535, 15.09254, 0.0),
    "Ubari": ("Ubari", "LBY", "Wādī al Ḩayāt", 26.59034, 12.77511, 0.01),
    "Murzuq": ("Murzuk", "LBY", "Murzuq", 25.91552, 13.91839, 0.01),
    "Kufra": ("Al Jawf", "LBY", "Al Kufrah", 24.19890, 23.29093, 0.01),
    "Ghat": ("Ghat", "LBY", "Ghāt", 24.96470, 10.17280, 0.0),
    "Zintan": ("Zintan", "LBY", "Al Jabal al Gharbī", 31.93155, 12.25291, 0.01),
    "Sirte": ("Sirte", "LBY", "Surt", 31.20892, 16.58866, 0.0),
    "Tobruk": ("Tobruk", "LBY", "Al Buţnān", 32.08963, 23.95385, 0.0),
    "Bani Walid": ("Bani Walid", "LBY", "Mişrātah", 31.74554, 13.98354, 0.01),
    # Sahel and Maghreb
    "Agadez": ("Agadez", "NER", "Agadez", 16.97333, 7.99111, 0.01),
    "Arlit": ("Arlit", "NER", "Agadez", 18.73694, 7.38528, 0.01),
    "Niamey": ("Niamey", "NER", "Niamey", 13.51366, 2.10980, 0.01),
    "Dirkou": ("Dirkou", "NER", "Agadez", 18.98300, 12.88300, 0.01),
    "Tahoua": ("Tahoua", "NER", "Tahoua", 14.88880, 5.26920, 0.01),
    "Gao": ("Gao", "MLI", "Gao", 16.27167, -0.04472, 0.01),
    "Kidal": ("Kidal", "MLI", "Kidal", 18.44345, 1.40921, 0.01),
    "Timbuktu": ("Timbuktu", "MLI", "Tombouctou", 16.77348, -3.00742, 0.01),
    "Bamako": ("Bamako", "MLI", "Bamako", 12.60915, -7.97522, 0.01),
    "Mopti": ("Mopti", "MLI", "Mopti", 14.48430, -4.18296, 0.01),
    "Menaka": ("Ménaka", "MLI", "Ménaka", 15.91670, 2.40000, 0.01),
    "NDjamena": ("N'Djamena", "TCD", "Ville de Ndjamena", 12.10672, 15.04440, 0.0),
    "Faya-Largeau": ("Faya-Largeau", "TCD", "Borkou", 17.92570, 19.10428, 0.01),
    "Abeche": ("Abéché", "TCD", "Ouaddaï", 13.82916, 20.83240, 0.01),
    "Ouagadougou": ("Ouagadougou", "BFA", "Centre", 12.36566, -1.53388, 0.01),
    "Djibo": ("Djibo", "BFA", "Sahel", 14.09864, -1.62665, 0.01),
    "Dori": ("Dori", "BFA", "Sahel", 14.03326, -0.03333, 0.01),
    "Fada Ngourma": ("Fada N'gourma", "BFA", "Est", 12.06157, 0.35843, 0.01),
    "Tamanrasset": ("Tamanghasset", "DZA", "Tamanrasset", 22.78500, 5.52278, 0.01),
    "Djanet": ("Djanet", "DZA", "Djanet", 24.55340, 9.48460, 0.01),
    "Illizi": ("Illizi", "DZA", "Illizi", 26.48330, 8.46670, 0.01),
    "Ouargla": ("Ouargla", "DZA", "Ouargla", 31.94932, 5.32502, 0.01),
    "Ben Gardane": ("Ben Gardane", "TUN", "Médenine", 33.13783, 11.21965, 0.0),
    "Tataouine": ("Tataouine", "TUN", "Tataouine", 32.92967, 10.45177, 0.01),
    "Medenine": ("Medenine", "TUN", "Médenine", 33.35495, 10.50548, 0.01),
    "Tunis": ("Tunis", "TUN", "Tunis", 36.81897, 10.16579, 0.0),
    "Kasserine": ("Kasserine", "TUN", "Kasserine", 35.16758, 8.83651, 0.01),
    # Egypt, Gaza, Lebanon, Syria
    "Marsa Matruh": ("Marsa Matruh", "EGY", "Maţrūḩ", 31.35290, 27.23725, 0.0),
    "Siwa": ("Sīwah", "EGY", "Maţrūḩ", 29.20320, 25.51965, 0.01),
    "Cairo": ("Cairo", "EGY", "Al Qāhirah", 30.06263, 31.24967, 0.01),
    "Arish": ("Arish", "EGY", "Shamāl Sīnā'", 31.13159, 33.79844, 0.0),
    "Alexandria": ("Alexandria", "EGY", "Al Iskandarīyah", 31.20176, 29.91582, 0.0),
    "Gaza": ("Gaza", "PSE", "Gaza Strip", 31.50161, 34.46672, 0.0),
    "Rafah": ("Rafah", "PSE", "Gaza Strip", 31.29722, 34.24357, 0.0),
    "Khan Yunis": ("Khan Yunis", "PSE", "Gaza Strip", 31.34018, 34.30627, 0.0),
    "Tripoli LB": ("Tripoli", "LBN", "Ash Shimāl", 34.43352, 35.84415, 0.0),
    "Baalbek": ("Baalbek", "LBN", "B‘alabak-Al Hirmil", 34.00583, 36.21806, 0.0),
    "Beirut": ("Beirut", "LBN", "Bayrūt", 33.89332, 35.50157, 0.0),
    "Homs": ("Homs", "SYR", "Ḩimş", 34.72405, 36.72559, 0.01),
    "Idlib": ("Idlib", "SYR", "Idlib", 35.93062, 36.63393, 0.0),
    "Damascus": ("Damascus", "SYR", "Dimashq", 33.51020, 36.29128, 0.01),
    # Western Balkans and the EU
    "Belgrade": ("Belgrade", "SRB", "Central Serbia", 44.80401, 20.46513, 0.01),
    "Novi Sad": ("Novi Sad", "SRB", "Vojvodina", 45.25167, 19.83694, 0.01),
    "Nis": ("Niš", "SRB", "Central Serbia", 43.32472, 21.90333, 0.01),
    "Sarajevo": ("Sarajevo", "BIH", "Federacija Bosne i Hercegovine", 43.84864, 18.35644, 0.01),
    "Mostar": ("Mostar", "BIH", "Federacija Bosne i Hercegovine", 43.34333, 17.80806, 0.01),
    "Banja Luka": ("Banja Luka", "BIH", "Republika Srpska", 44.77879, 17.20629, 0.01),
    "Podgorica": ("Podgorica", "MNE", "Podgorica", 42.44124, 19.26309, 0.01),
    "Pristina": ("Pristina", "XKX", "Pristina", 42.67272, 21.16688, 0.01),
    "Prizren": ("Prizren", "XKX", "Prizren", 42.21389, 20.73972, 0.0),
    "Tirana": ("Tirana", "ALB", "Tiranë", 41.32744, 19.81866, 0.01),
    "Durres": ("Durrës", "ALB", "Durrës", 41.32355, 19.45469, 0.0),
    "Skopje": ("Skopje", "MKD", "Grad Skopje", 41.99646, 21.43141, 0.01),
    "Zagreb": ("Zagreb", "HRV", "Grad Zagreb", 45.81444, 15.97798, 0.0),
    "Ljubljana": ("Ljubljana", "SVN", "Ljubljana", 46.05108, 14.50513, 0.01),
    "Vienna": ("Vienna", "AUT", "Wien", 48.20849, 16.37208, 0.01),
    "Graz": ("Graz", "AUT", "Steiermark", 47.06733, 15.44197, 0.01),
    "Salzburg": ("Salzburg", "AUT", "Salzburg", 47.79941, 13.04399, 0.0),
    "Linz": ("Linz", "AUT", "Oberösterreich", 48.30639, 14.28611, 0.01),
    "Munich": ("Munich", "DEU", "Bayern", 48.13743, 11.57549, 0.01),
    "Berlin": ("Berlin", "DEU", "Berlin", 52.52437, 13.41053, 0.01),
    "Frankfurt": ("Frankfurt am Main", "DEU", "Hessen", 50.11552, 8.68417, 0.01),
    "Cologne": ("Köln", "DEU", "Nordrhein-Westfalen", 50.93333, 6.95000, 0.01),
    "Hamburg": ("Hamburg", "DEU", "Hamburg", 53.55073, 9.99302, 0.01),
    "Paris": ("Paris", "FRA", "Île-de-France", 48.85341, 2.34880, 0.01),
    "Marseille": ("Marseille", "FRA", "Provence-Alpes-Côte-d’Azur", 43.29695, 5.38107, 0.0),
    "Lyon": ("Lyon", "FRA", "Auvergne-Rhône-Alpes", 45.74906, 4.84789, 0.01),
    "Lille": ("Lille", "FRA", "Hauts-de-France", 50.63391, 3.05512, 0.0),
    "Amsterdam": ("Amsterdam", "NLD", "Noord-Holland", 52.37403, 4.88969, 0.0),
    "Rotterdam": ("Rotterdam", "NLD", "Zuid-Holland", 51.92250, 4.47917, 0.0),
    "Utrecht": ("Utrecht", "NLD", "Utrecht", 52.09083, 5.12222, 0.01),
    "Brussels": ("Brussels", "BEL", "Bruxelles-Capitale, Région de", 50.85045, 4.34878, 0.01),
    "Antwerp": ("Antwerp", "BEL", "Vlaams Gewest", 51.22047, 4.40026, 0.0),
    "Liege": ("Liège", "BEL", "wallonne, Région", 50.63373, 5.56749, 0.01),
    "Stockholm": ("Stockholm", "SWE", "Stockholms län", 59.32938, 18.06871, 0.0),
    "Malmo": ("Malmö", "SWE", "Skåne län", 55.60587, 13.00073, 0.0),
    "Gothenburg": ("Gothenburg", "SWE", "Västra Götalands län", 57.70716, 11.96679, 0.0),
    "Uppsala": ("Uppsala", "SWE", "Uppsala län", 59.85882, 17.63889, 0.01),
    # Iran, Yemen, Somalia, Oman
    "Bandar Abbas": ("Bandar Abbas", "IRN", "Hormozgān", 27.18650, 56.28080, 0.0),
    "Chabahar": ("Chabahar", "IRN", "Sīstān va Balūchestān", 25.29190, 60.64300, 0.0),
    "Jask": ("Jask", "IRN", "Hormozgān", 25.64533, 57.77552, 0.0),
    "Al Ghaydah": ("Al Ghaydah", "YEM", "Al Mahrah", 16.20670, 52.17610, 0.0),
    "Aden": ("Aden", "YEM", "‘Adan", 12.77957, 45.03852, 0.0),
    "Mukalla": ("Mukalla", "YEM", "Ḩaḑramawt", 14.54248, 49.12424, 0.0),
    "Sanaa": ("Sanaa", "YEM", "Amānat al ‘Āşimah", 15.35452, 44.20646, 0.01),
    "Hodeidah": ("Al Hudaydah", "YEM", "Al Ḩudaydah", 14.79781, 42.95452, 0.0),
    "Marib": ("Ma'rib", "YEM", "Ma’rib", 15.46253, 45.32581, 0.01),
    "Bosaso": ("Bosaso", "SOM", "Bari", 11.28421, 49.18158, 0.0),
    "Mogadishu": ("Mogadishu", "SOM", "Banaadir", 2.03711, 45.34375, 0.0),
    "Garoowe": ("Garoowe", "SOM", "Nugaal", 8.40207, 48.48284, 0.01),
    "Laascaanood": ("Laascaanood", "SOM", "Sool", 8.47738, 47.35971, 0.01),
    "Salalah": ("Salalah", "OMN", "Z̧ufār", 17.01505, 54.09237, 0.0),
    # Background: Latin America, Africa, Asia
    "Rio de Janeiro": ("Rio de Janeiro", "BRA", "Rio de Janeiro", -22.90642, -43.18223, 0.0),
    "Sao Paulo": ("São Paulo", "BRA", "São Paulo", -23.54750, -46.63611, 0.01),
    "Foz do Iguacu": ("Foz do Iguaçu", "BRA", "Paraná", -25.54778, -54.58806, 0.0),
    "Ponta Pora": ("Ponta Porã", "BRA", "Mato Grosso do Sul", -22.53611, -55.72556, 0.0),
    "Bogota": ("Bogotá", "COL", "Distrito Capital de Bogotá", 4.60971, -74.08175, 0.01),
    "Cali": ("Cali", "COL", "Valle del Cauca", 3.43054, -76.51990, 0.01),
    "Medellin": ("Medellín", "COL", "Antioquia", 6.24500, -75.57151, 0.01),
    "Cucuta": ("Cúcuta", "COL", "Norte de Santander", 7.90745, -72.50490, 0.0),
    "Johannesburg": ("Johannesburg", "ZAF", "Gauteng", -26.20227, 28.04363, 0.01),
    "Cape Town": ("Cape Town", "ZAF", "Western Cape", -33.92584, 18.42322, 0.0),
    "Durban": ("Durban", "ZAF", "Kwazulu-Natal", -29.85790, 31.02920, 0.0),
    "Lagos": ("Lagos", "NGA", "Lagos", 6.45407, 3.39467, 0.0),
    "Kano": ("Kano", "NGA", "Kano", 12.00012, 8.51672, 0.01),
    "Maiduguri": ("Maiduguri", "NGA", "Borno", 11.84692, 13.15712, 0.01),
    "Abuja": ("Abuja", "NGA", "Abuja Federal Capital Territory", 9.05785, 7.49508, 0.01),
    "Manila": ("Manila", "PHL", "National Capital Region", 14.60420, 120.98220, 0.0),
    "Davao": ("Davao", "PHL", "Davao", 7.07306, 125.61278, 0.0),
    "Cotabato": (
        "Cotabato", "PHL", "Autonomous Region in Muslim Mindanao", 7.22361, 124.24639, 0.0),
    "Zamboanga": ("Zamboanga", "PHL", "Zamboanga Peninsula", 6.91028, 122.07389, 0.0),
    "Marawi": (
        "Marawi City", "PHL", "Autonomous Region in Muslim Mindanao", 7.99860, 124.29280, 0.0),
    "Abidjan": ("Abidjan", "CIV", "Abidjan", 5.35444, -4.00167, 0.0),
    "Goma": ("Goma", "COD", "Nord-Kivu", -1.67409, 29.22845, 0.0),
    "Kinshasa": ("Kinshasa", "COD", "Kinshasa", -4.32758, 15.31357, 0.0),
    "Nairobi": ("Nairobi", "KEN", "Nairobi City", -1.28333, 36.81667, 0.01),
    "Guatemala City": ("Guatemala City", "GTM", "Guatemala", 14.64072, -90.51327, 0.01),
    "Port-au-Prince": ("Port-au-Prince", "HTI", "Ouest", 18.54349, -72.33881, 0.0),
}

# Main city of each admin1 unit, used for admin1-precision rows (lat/lon or empty).
ADMIN1_MAIN = {
    ("MEX", "Baja California"): "Mexicali", ("MEX", "Sonora"): "Hermosillo",
    ("MEX", "Chihuahua"): "Chihuahua", ("MEX", "Tamaulipas"): "Ciudad Victoria",
    ("MEX", "Coahuila de Zaragoza"): "Saltillo", ("MEX", "Nuevo León"): "Monterrey",
    ("MEX", "Sinaloa"): "Culiacan", ("MEX", "Durango"): "Durango",
    ("MEX", "Zacatecas"): "Zacatecas", ("MEX", "Jalisco"): "Guadalajara",
    ("MEX", "Michoacán de Ocampo"): "Morelia", ("MEX", "Guerrero"): "Chilpancingo",
    ("MEX", "Ciudad de México"): "Mexico City",
    ("IND", "Manipur"): "Imphal", ("IND", "Mizoram"): "Aizawl",
    ("IND", "Assam"): "Guwahati", ("IND", "Nāgāland"): "Kohima",
}

# Points at sea for naval interdictions (Arabian Sea, Gulf of Aden, Gulf of Oman).
SEA_POINTS = [
    (12.50000, 47.00000), (13.20000, 48.60000), (12.90000, 50.20000), (14.00000, 50.00000),
    (11.00000, 52.50000), (15.00000, 53.00000), (15.80000, 56.40000), (16.90000, 58.00000),
    (17.50000, 60.00000), (20.00000, 62.00000), (22.00000, 62.50000), (24.50000, 60.00000),
]

# Country aliases: code -> alternatives (alpha-2 first, then names).
ALIASES = {
    "USA": ["US", "United States", "United States of America"], "MEX": ["MX", "Mexico"],
    "IND": ["IN", "India"], "MMR": ["MM", "Burma", "Myanmar"], "LBY": ["LY", "Libya"],
    "NER": ["NE", "Niger"], "MLI": ["ML", "Mali"], "TCD": ["TD", "Chad"],
    "BFA": ["BF", "Burkina Faso"], "DZA": ["DZ", "Algeria"], "TUN": ["TN", "Tunisia"],
    "EGY": ["EG", "Egypt"], "PSE": ["PS", "Palestine"], "LBN": ["LB", "Lebanon"],
    "SYR": ["SY", "Syria"], "SRB": ["RS", "Serbia"],
    "BIH": ["BA", "Bosnia and Herzegovina"], "MNE": ["ME", "Montenegro"],
    "XKX": ["XK", "Kosovo"], "ALB": ["AL", "Albania"], "MKD": ["MK", "North Macedonia"],
    "HRV": ["HR", "Croatia"], "SVN": ["SI", "Slovenia"], "HUN": ["HU", "Hungary"],
    "AUT": ["AT", "Austria"], "DEU": ["DE", "Germany"], "FRA": ["FR", "France"],
    "NLD": ["NL", "Netherlands"], "BEL": ["BE", "Belgium"], "SWE": ["SE", "Sweden"],
    "IRN": ["IR", "Iran"], "YEM": ["YE", "Yemen"], "SOM": ["SO", "Somalia"],
    "OMN": ["OM", "Oman"], "BRA": ["BR", "Brazil"], "COL": ["CO", "Colombia"],
    "ZAF": ["ZA", "South Africa"], "NGA": ["NG", "Nigeria"], "PHL": ["PH", "Philippines"],
    "CIV": ["Ivory Coast", "CI", "Côte d'Ivoire"], "COD": ["DRC", "CD", "DR Congo"],
    "KEN": ["KE", "Kenya"], "GTM": ["GT", "Guatemala"], "HTI": ["HT", "Haiti"],
    "RUS": ["RU", "Russia"], "CHN": ["CN", "China"], "ITA": ["IT", "Italy"],
    "CZE": ["CZ", "Czechia"], "TUR": ["TR", "Turkey"], "ISR": ["IL", "Israel"],
    "ESP": ["ES", "Spain"], "ROU": ["RO", "Romania"], "BGR": ["BG", "Bulgaria"],
    "PRY": ["PY", "Paraguay"], "VEN": ["VE", "Venezuela"], "HND": ["HN", "Honduras"],
    "SSD": ["SS", "South Sudan"], "UGA": ["UG", "Uganda"], "RWA": ["RW", "Rwanda"],
    "CMR": ["CM", "Cameroon"], "MOZ": ["MZ", "Mozambique"], "DOM": ["DO", "Dominican Republic"],
    "ARG": ["AR", "Argentina"], "KOR": ["KR", "South Korea"], "SDN": ["SD", "Sudan"],
}
# Codes written as an alias more often, so that alias resolution is clearly exercised.
ALIAS_RATE = {"CIV": 0.6, "COD": 0.6, "MMR": 0.3, "XKX": 0.15}
DEFAULT_ALIAS_RATE = 0.07

FIREARM_CATEGORIES = {
    "pistol", "revolver", "rifle", "assault_rifle", "shotgun", "submachine_gun", "machine_gun",
}


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------
def cc(rng: random.Random, code: str) -> str:
    """Country code as written: usually ISO3, sometimes an alias."""
    alts = ALIASES.get(code)
    if alts and rng.random() < ALIAS_RATE.get(code, DEFAULT_ALIAS_RATE):
        return rng.choice(alts)
    return code


def cc_list(rng: random.Random, codes: list[str]) -> str:
    return ";".join(cc(rng, c) for c in codes)


def f5(x: float) -> str:
    return f"{x:.5f}"


def f4(x: float) -> str:
    return f"{x:.4f}"


def conf(x: float) -> str:
    return f"{min(1.0, max(0.0, x)):.2f}"


def rand_date(rng: random.Random, lo: date, hi: date) -> date:
    hi = min(hi, LAST_DATE)
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def fmt_date(rng: random.Random, d: date, p_month: float = 0.10, p_year: float = 0.03) -> str:
    r = rng.random()
    if r < p_year:
        return f"{d.year:04d}"
    if r < p_year + p_month:
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


def wchoice(rng: random.Random, items: list, weights: list[float]):
    return rng.choices(items, weights=weights, k=1)[0]


def quantity(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.45:
        return 1
    if r < 0.83:
        return rng.randint(2, 10)
    if r < 0.97:
        return rng.randint(11, 60)
    return rng.randint(61, 350)


def rounds_amount(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.55:
        return rng.randint(20, 1_000)
    if r < 0.90:
        return rng.randint(1_001, 20_000)
    return rng.randint(20_001, 250_000)


PRECISION_DEFAULT = (["exact", "place", "admin1", "country"], [0.36, 0.42, 0.12, 0.10])


def location(rng: random.Random, key: str, weights=PRECISION_DEFAULT) -> dict:
    """Location columns for a place key, with a random precision level."""
    name, iso3, admin1, lat, lon, jitter = PLACES[key]
    prec = wchoice(rng, weights[0], weights[1])
    out = {"country": iso3, "location_precision": prec, "place": "", "lat": "", "lon": ""}
    if prec == "exact":
        out["place"] = name
        out["lat"] = f5(lat + rng.uniform(-jitter, jitter))
        out["lon"] = f5(lon + rng.uniform(-jitter, jitter))
    elif prec == "place":
        out["place"] = name
        out["lat"] = f4(lat)
        out["lon"] = f4(lon)
    elif prec == "admin1":
        out["place"] = admin1
        main = ADMIN1_MAIN.get((iso3, admin1))
        if main is not None and rng.random() < 0.6:
            out["lat"] = f4(PLACES[main][3])
            out["lon"] = f4(PLACES[main][4])
    return out


def seizure(**kw) -> dict:
    row = {c: "" for c in SEIZURE_COLUMNS}
    for k, v in kw.items():
        if k not in row:
            raise KeyError(k)
        row[k] = v if isinstance(v, str) else str(v)
    return row


def serial_of(prefix: str, n: int) -> str:
    return f"{prefix}{n:06d}"


def random_serial(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    # Digits 600000+ never fall inside a looted block (blocks are allocated below 600000).
    return rng.choice(letters) + rng.choice(letters) + f"{rng.randint(600_000, 999_999):06d}"


# ---------------------------------------------------------------------------------------
# Weapon catalogues: (make, model, category, calibre, country_of_manufacture, last_legal_import)
# ---------------------------------------------------------------------------------------
US_SOURCED = [
    ("Colt", "AR-15", "rifle", "5.56x45mm", "USA", ""),
    ("Smith & Wesson", "M&P15", "rifle", "5.56x45mm", "USA", ""),
    ("Bushmaster", "XM-15", "rifle", ".223 Rem", "USA", ""),
    ("Ruger", "AR-556", "rifle", "5.56x45mm", "USA", ""),
    ("Palmetto State Armory", "PA-15", "rifle", "5.56x45mm", "USA", ""),
    ("Barrett", "M82A1", "rifle", ".50 BMG", "USA", ""),
    ("Colt", "1911", "pistol", ".38 Super", "USA", ""),
    ("Smith & Wesson", "M&P9", "pistol", "9x19mm", "USA", ""),
    ("Ruger", "P95", "pistol", "9x19mm", "USA", ""),
    ("Smith & Wesson", "Model 686", "revolver", ".357 Magnum", "USA", ""),
    ("Mossberg", "500", "shotgun", "12 gauge", "USA", ""),
    ("Remington", "870", "shotgun", "12 gauge", "USA", ""),
    ("Century Arms", "WASR-10", "rifle", "7.62x39mm", "ROU", "USA"),
    ("Zastava", "PAP M70", "rifle", "7.62x39mm", "SRB", "USA"),
    ("Glock", "19", "pistol", "9x19mm", "AUT", "USA"),
    ("Glock", "17", "pistol", "9x19mm", "AUT", "USA"),
    ("FN Herstal", "Five-seveN", "pistol", "5.7x28mm", "BEL", "USA"),
    ("Beretta", "92FS", "pistol", "9x19mm", "ITA", "USA"),
    ("Taurus", "G2C", "pistol", "9x19mm", "BRA", "USA"),
]
US_WEIGHTS = [9, 6, 4, 4, 3, 1.5, 6, 4, 3, 1.5, 2, 2, 7, 3, 6, 4, 3, 2, 3]
MX_NON_US = [
    ("Norinco", "Type 56", "assault_rifle", "7.62x39mm", "CHN", ""),
    ("IMI", "Galil", "assault_rifle", "5.56x45mm", "ISR", "GTM"),
    ("Heckler & Koch", "G3", "rifle", "7.62x51mm", "DEU", "MEX"),
    ("Star", "Model B", "pistol", "9x19mm", "ESP", ""),
    ("CZ", "75", "pistol", "9x19mm", "CZE", ""),
    ("Zastava", "M70", "assault_rifle", "7.62x39mm", "SRB", ""),
    ("Arcus", "98DA", "pistol", "9x19mm", "BGR", "HND"),
    ("Bersa", "Thunder 380", "pistol", ".380 ACP", "ARG", ""),
    ("Daewoo", "K2", "assault_rifle", "5.56x45mm", "KOR", "GTM"),
]

MANIPUR_MODELS = [
    # (model, category, calibre, serial prefix, share, country_of_manufacture)
    ("INSAS", "assault_rifle", "5.56x45mm", "IN", 0.30, "IND"),
    ("AK-47", "assault_rifle", "7.62x39mm", "MA", 0.20, ""),
    ("SLR", "rifle", "7.62x51mm", "SL", 0.18, "IND"),
    ("9mm Carbine", "submachine_gun", "9x19mm", "CB", 0.12, "IND"),
    ("9mm Pistol Auto", "pistol", "9x19mm", "PA", 0.08, "IND"),
    ("MP5", "submachine_gun", "9x19mm", "MP", 0.04, "DEU"),
    ("LMG", "machine_gun", "5.56x45mm", "LM", 0.05, "IND"),
    (".303 Rifle", "rifle", ".303 British", "LE", 0.03, "IND"),
]
MODEL_INFO = {m[0]: m for m in MANIPUR_MODELS}

LIBYA_MODELS = [
    ("AK-103", "assault_rifle", "7.62x39mm", "KA", 0.35, "RUS"),
    ("FN FAL", "rifle", "7.62x51mm", "FL", 0.20, "BEL"),
    ("FN F2000", "assault_rifle", "5.56x45mm", "FT", 0.10, "BEL"),
    ("Type 56", "assault_rifle", "7.62x39mm", "TC", 0.15, "CHN"),
    ("PKM", "machine_gun", "7.62x54mmR", "PK", 0.12, "RUS"),
    ("9K32 Strela-2", "manpads", "72mm", "SA", 0.04, "RUS"),
    ("RPG-7", "rocket_launcher", "40mm", "RG", 0.04, "RUS"),
]
for _m in LIBYA_MODELS:
    MODEL_INFO[_m[0]] = _m

SAHEL_LOOT_MODELS = [
    ("AKM", "assault_rifle", "7.62x39mm", "AM", 0.6, "RUS"),
    ("Type 56", "assault_rifle", "7.62x39mm", "TS", 0.25, "CHN"),
    ("PKM", "machine_gun", "7.62x54mmR", "PS", 0.15, "RUS"),
]

BALKAN_WEAPONS = [
    ("Zastava", "M70", "assault_rifle", "7.62x39mm", "SRB", ""),
    ("Zastava", "M70AB2", "assault_rifle", "7.62x39mm", "SRB", ""),
    ("Zastava", "M57", "pistol", "7.62x25mm", "SRB", ""),
    ("Zastava", "M84", "machine_gun", "7.62x54mmR", "SRB", ""),
    ("Zastava", "M92", "submachine_gun", "7.62x39mm", "SRB", ""),
    ("CZ", "Skorpion vz. 61", "submachine_gun", ".32 ACP", "CZE", ""),
    ("Zastava", "M75", "grenade", "", "SRB", ""),
    ("Zastava", "M80 Zolja", "rocket_launcher", "64mm", "SRB", ""),
    ("Zoraki", "914 (converted)", "pistol", "9x19mm", "TUR", ""),
    ("Crvena Zastava", "M48", "rifle", "7.92x57mm", "SRB", ""),
]
BALKAN_WEIGHTS = [22, 10, 14, 3, 6, 8, 12, 2, 10, 3]

IRAN_WEAPONS = [
    ("", "KLS-type", "assault_rifle", "7.62x39mm", "IRN", ""),
    ("Norinco", "Type 56-1", "assault_rifle", "7.62x39mm", "CHN", ""),
    ("", "PKM-type", "machine_gun", "7.62x54mmR", "IRN", ""),
    ("", "RPG-7-type", "rocket_launcher", "40mm", "IRN", ""),
    ("", "Dehlavieh", "other", "", "IRN", ""),
    ("", "AM-50 Sayyad", "rifle", "12.7x99mm", "IRN", ""),
]
IRAN_WEIGHTS = [40, 15, 12, 15, 5, 6]

NOISE_WEAPONS = {
    "BRA": [("Taurus", "PT 24/7", "pistol", "9x19mm", "BRA", ""),
            ("Rossi", "R851", "revolver", ".38 Special", "BRA", ""),
            ("IMBEL", "MD-97", "assault_rifle", "5.56x45mm", "BRA", ""),
            ("Glock", "17", "pistol", "9x19mm", "AUT", "USA"),
            ("", "craft pistol", "improvised", "", "", "")],
    "COL": [("Jericho", "941", "pistol", "9x19mm", "ISR", ""),
            ("Indumil", "Cordova", "revolver", ".38 Special", "COL", ""),
            ("Colt", "AR-15", "rifle", "5.56x45mm", "USA", ""),
            ("", "shotgun (craft)", "improvised", "12 gauge", "", "")],
    "ZAF": [("Vektor", "Z88", "pistol", "9x19mm", "ZAF", ""),
            ("Norinco", "Type 54", "pistol", "7.62x25mm", "CHN", ""),
            ("", "AK-pattern", "assault_rifle", "7.62x39mm", "", "MOZ")],
    "NGA": [("", "AK-pattern", "assault_rifle", "7.62x39mm", "", ""),
            ("", "Dane gun", "improvised", "", "NGA", ""),
            ("", "locally made pistol", "improvised", "", "NGA", ""),
            ("Beretta", "M12", "submachine_gun", "9x19mm", "ITA", "NGA")],
    "PHL": [("Armscor", "M1911", "pistol", ".45 ACP", "PHL", ""),
            ("", "paltik", "improvised", ".38 Special", "PHL", ""),
            ("Colt", "M16A1", "assault_rifle", "5.56x45mm", "USA", "PHL")],
    "CIV": [("", "AK-pattern", "assault_rifle", "7.62x39mm", "", ""),
            ("Makarov", "PM", "pistol", "9x18mm", "RUS", "")],
    "COD": [("", "AK-pattern", "assault_rifle", "7.62x39mm", "", ""),
            ("Norinco", "Type 56", "assault_rifle", "7.62x39mm", "CHN", "COD"),
            ("", "60mm mortar", "mortar", "60mm", "", "")],
    "KEN": [("", "AK-pattern", "assault_rifle", "7.62x39mm", "", ""),
            ("Heckler & Koch", "G3", "rifle", "7.62x51mm", "DEU", "KEN")],
    "GTM": [("Glock", "19", "pistol", "9x19mm", "AUT", "USA"),
            ("Colt", "AR-15", "rifle", "5.56x45mm", "USA", "")],
    "HTI": [("Smith & Wesson", "M&P15", "rifle", "5.56x45mm", "USA", ""),
            ("Glock", "17", "pistol", "9x19mm", "AUT", "USA"),
            ("Century Arms", "WASR-10", "rifle", "7.62x39mm", "ROU", "USA")],
}
NOISE_PLACES = {
    "BRA": ["Rio de Janeiro", "Sao Paulo", "Foz do Iguacu", "Ponta Pora"],
    "COL": ["Bogota", "Cali", "Medellin", "Cucuta"],
    "ZAF": ["Johannesburg", "Cape Town", "Durban"],
    "NGA": ["Lagos", "Kano", "Maiduguri", "Abuja"],
    "PHL": ["Manila", "Davao", "Cotabato", "Zamboanga"],
    "CIV": ["Abidjan"],
    "COD": ["Goma", "Kinshasa"],
    "KEN": ["Nairobi"],
    "GTM": ["Guatemala City"],
    "HTI": ["Port-au-Prince"],
}
NOISE_ORIGINS = {
    "BRA": ["PRY", "USA", "ARG"], "COL": ["VEN", "USA"], "ZAF": ["MOZ"], "NGA": ["LBY", "CMR"],
    "PHL": [], "CIV": ["MLI", "BFA"], "COD": ["UGA", "RWA", "SSD"], "KEN": ["SOM", "SSD"],
    "GTM": ["USA"], "HTI": ["USA", "DOM"],
}
NOISE_WEIGHTS = {"BRA": 22, "COL": 16, "ZAF": 14, "NGA": 16, "PHL": 12, "CIV": 5, "COD": 7,
                 "KEN": 4, "GTM": 5, "HTI": 6}


def pick(rng: random.Random, catalogue, weights=None):
    if weights is None:
        return rng.choice(catalogue)
    return wchoice(rng, catalogue, weights)


# ---------------------------------------------------------------------------------------
# Looting incidents
# ---------------------------------------------------------------------------------------
class SerialBook:
    """Allocates disjoint serial blocks per prefix (deterministic)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next = {}

    def block(self, prefix: str, count: int) -> tuple[int, int]:
        start = self.next.get(prefix, 100_000 + 1_000 * self.rng.randint(0, 20))
        start = (start + 999) // 1000 * 1000
        end = start + count - 1
        if end >= 600_000:
            raise ValueError(f"serial block for {prefix} overflows: {end}")
        self.next[prefix] = end + 1 + 1_000 * self.rng.randint(1, 8)
        return start, end


def split_counts(rng: random.Random, total: int, models: list) -> list[tuple]:
    """Split a weapon total among models by share (with noise); exact sum."""
    raw = [max(0.0, m[4] * rng.uniform(0.7, 1.3)) for m in models]
    s = sum(raw)
    counts = [int(total * r / s) for r in raw]
    counts[0] += total - sum(counts)
    return [(m, c) for m, c in zip(models, counts) if c > 0]


def make_lots(rng: random.Random, calibres: list[str], used: set) -> list[str]:
    lots = []
    for cal in calibres:
        while True:
            lot = f"LOT-{cal}-{rng.randint(1979, 2019)}-{rng.randint(1, 24):02d}"
            if lot not in used:
                used.add(lot)
                lots.append(lot)
                break
    return lots


# Manipur 2023: 12 incidents, 5,600 weapons and 650,000 rounds in total.
MANIPUR_LOOTINGS = [
    ("2023-05-03", "Churachandpur", "police_armoury", "District police lines armoury", 610, 68_000),
    ("2023-05-03", "Imphal", "police_armoury", "Police training centre armoury", 1_050, 120_000),
    ("2023-05-04", "Imphal", "armoury", "Armed police battalion armoury", 880, 105_000),
    ("2023-05-04", "Bishnupur", "police_armoury", "Police station armoury", 420, 52_000),
    ("2023-05-05", "Kangpokpi", "police_armoury", "District police armoury", 310, 36_000),
    ("2023-05-28", "Thoubal", "armoury", "Armed police battalion armoury", 380, 41_000),
    ("2023-05-29", "Kakching", "police_armoury", "Police station armoury", 260, 30_000),
    ("2023-06-14", "Moirang", "police_armoury", "Police outpost armoury", 230, 27_000),
    ("2023-06-22", "Ukhrul", "police_armoury", "District police armoury", 190, 21_000),
    ("2023-07-12", "Senapati", "police_armoury", "Police station armoury", 170, 19_000),
    ("2023-08-03", "Bishnupur", "armoury", "Armed police battalion armoury", 740, 95_000),
    ("2023-09-15", "Jiribam", "police_armoury", "Police station armoury", 360, 36_000),
]

LIBYA_LOOTINGS = [
    ("2011-02-20", "Benghazi", "military_depot", 2_400, 1_200_000),
    ("2011-03", "Tobruk", "ammunition_depot", 900, 2_000_000),
    ("2011-08-24", "Tripoli", "military_depot", 3_200, 1_500_000),
    ("2015-02", "Sirte", "military_depot", 650, 300_000),
    ("2015-04-17", "Sabha", "military_depot", 1_100, 450_000),
    ("2015-07-02", "Ubari", "ammunition_depot", 300, 900_000),
    ("2015-09-21", "Murzuq", "military_depot", 420, 160_000),
    ("2015-12-05", "Kufra", "military_depot", 380, 140_000),
    ("2016-01-30", "Ghat", "military_post", 150, 60_000),
    ("2016-03-14", "Bani Walid", "military_depot", 520, 210_000),
    ("2016-06-08", "Misratah", "ammunition_depot", 260, 700_000),
    ("2016-10-19", "Zintan", "military_depot", 610, 240_000),
    ("2019-04-11", "Tripoli", "military_depot", 340, 120_000),
    ("2020-06-05", "Sirte", "military_depot", 280, 95_000),
]

OTHER_LOOTINGS = [
    # (date, place, facility_type, weapons, rounds, perpetrator, models or None)
    ("2015-08-07", "Gao", "military_post", 60, 20_000, "armed group (unidentified)", "sahel"),
    ("2016-07-19", "Timbuktu", "military_post", 45, 15_000, "armed group (unidentified)", "sahel"),
    ("2017-01-18", "Gao", "military_base", 120, 60_000, "armed group (unidentified)", "sahel"),
    ("2019-09-30", "Mopti", "military_post", 85, 30_000, "armed group (unidentified)", "sahel"),
    ("2019-11-01", "Menaka", "military_post", 110, 40_000, "armed group (unidentified)", "sahel"),
    ("2016-10-12", "Djibo", "military_post", 40, 12_000, "armed group (unidentified)", "sahel"),
    ("2019-08-19", "Djibo", "military_base", 95, 35_000, "armed group (unidentified)", "sahel"),
    ("2020-03", "Dori", "police_station", 30, 8_000, "armed group (unidentified)", "sahel"),
    ("2021-06-04", "Dori", "military_post", 70, 25_000, "armed group (unidentified)", "sahel"),
    ("2022-02-21", "Fada Ngourma", "military_post", 55, 18_000, "armed group (unidentified)",
     "sahel"),
    ("2019-12-10", "Tahoua", "military_base", 140, 70_000, "armed group (unidentified)", "sahel"),
    ("2020-01-09", "Tahoua", "military_post", 90, 40_000, "armed group (unidentified)", "sahel"),
    ("2020-10-21", "Lagos", "police_station", 35, 3_000, "mob (unidentified)", None),
    ("2020-10-22", "Lagos", "police_station", 28, 2_500, "mob (unidentified)", None),
    ("2020-10", "Abuja", "police_station", 15, 1_200, "mob (unidentified)", None),
    ("2018-11-18", "Maiduguri", "military_base", 160, 80_000, "armed group (unidentified)",
     "sahel"),
    ("2019-03-26", "Maiduguri", "military_post", 75, 30_000, "armed group (unidentified)",
     "sahel"),
    ("2021-04-25", "Maiduguri", "military_base", 130, 55_000, "armed group (unidentified)",
     "sahel"),
    ("2022", "Kano", "police_station", 12, 900, "armed group (unidentified)", None),
    ("2017-05-23", "Marawi", "police_station", 40, 10_000, "armed group (unidentified)", None),
    ("2017-06", "Marawi", "military_post", 25, 6_000, "armed group (unidentified)", None),
    ("2024-02-29", "Port-au-Prince", "police_station", 45, 6_000, "armed gang (unidentified)",
     None),
    ("2024-03-03", "Port-au-Prince", "police_station", 60, 9_000, "armed gang (unidentified)",
     None),
    ("2024-03-08", "Port-au-Prince", "police_armoury", 120, 30_000, "armed gang (unidentified)",
     None),
    ("2025-04", "Port-au-Prince", "police_station", 30, 4_000, "armed gang (unidentified)", None),
    ("2025-01-27", "Goma", "military_depot", 900, 800_000, "armed group (unidentified)", "sahel"),
    ("2025-01-28", "Goma", "police_armoury", 150, 40_000, "armed group (unidentified)", None),
    ("2022-11", "Kinshasa", "police_station", 20, 2_000, "mob (unidentified)", None),
    ("2024-06-14", "Goma", "military_post", 60, 15_000, "armed group (unidentified)", None),
    ("2018-02-11", "Mogadishu", "military_base", 70, 25_000, "armed group (unidentified)", None),
    ("2021-09", "Laascaanood", "military_post", 40, 12_000, "armed group (unidentified)", None),
    ("2023-02-06", "Laascaanood", "military_base", 110, 45_000, "armed group (unidentified)",
     None),
    ("2015-03-22", "Aden", "military_depot", 800, 600_000, "armed group (unidentified)", None),
    ("2016-04", "Mukalla", "military_depot", 300, 200_000, "armed group (unidentified)", None),
]


LOOT_PRECISION = (["exact", "place", "admin1", "country"], [0.45, 0.40, 0.10, 0.05])


def build_lootings(rng: random.Random) -> tuple[list[dict], dict]:
    """Return looting rows (with ids) and a per-incident index used by the seizure builder."""
    book = SerialBook(rng)
    used_lots: set = set()
    staged = []
    for d, key, ftype, fname, weapons, rounds in MANIPUR_LOOTINGS:
        models = split_counts(rng, weapons, MANIPUR_MODELS)
        staged.append(dict(date=d, key=key, ftype=ftype, fname=f"{fname}, {PLACES[key][0]}",
                           weapons=weapons, rounds=rounds, perp=rng.choice(
                               ["mob (unidentified)", "armed group (unidentified)"]),
                           models=models, calibres=["5.56", "7.62", "9mm"],
                           group="manipur", prec=(["exact", "place"], [0.6, 0.4]),
                           extra_cats=["grenade", "ammunition"],
                           source="synthetic: state government statement", conf=0.9))
    for d, key, ftype, weapons, rounds in LIBYA_LOOTINGS:
        models = split_counts(rng, weapons, LIBYA_MODELS)
        staged.append(dict(date=d, key=key, ftype=ftype,
                           fname=f"{ftype.replace('_', ' ').capitalize()} near {PLACES[key][0]}",
                           weapons=weapons, rounds=rounds,
                           perp=rng.choice(["armed group (unidentified)", "militia (unidentified)",
                                            "unknown"]),
                           models=models, calibres=["7.62", "5.56", "12.7"], group="libya",
                           prec=LOOT_PRECISION, extra_cats=["ammunition", "grenade"],
                           source="synthetic: UN panel report", conf=0.7))
    for d, key, ftype, weapons, rounds, perp, kind in OTHER_LOOTINGS:
        models = split_counts(rng, weapons, SAHEL_LOOT_MODELS) if kind else []
        staged.append(dict(date=d, key=key, ftype=ftype,
                           fname=f"{ftype.replace('_', ' ').capitalize()}, {PLACES[key][0]}",
                           weapons=weapons, rounds=rounds, perp=perp, models=models,
                           calibres=["7.62"] if kind else [], group="other",
                           prec=LOOT_PRECISION, extra_cats=["ammunition"],
                           source=rng.choice(["synthetic: press report",
                                              "synthetic: NGO field report"]),
                           conf=0.6))
    staged.sort(key=lambda s: (s["date"], s["key"], s["fname"]))

    rows, index = [], {}
    for i, s in enumerate(staged, start=1):
        lid = f"LT-{i:04d}"
        loc = location(rng, s["key"], s["prec"])
        ranges, model_ranges = [], []
        for m, count in s["models"]:
            start, end = book.block(m[3], count)
            ranges.append(f"{m[0]}:{serial_of(m[3], start)}-{serial_of(m[3], end)}")
            model_ranges.append((m, start, end))
        lots = make_lots(rng, s["calibres"], used_lots)
        cats = []
        for m, _ in s["models"]:
            if m[1] not in cats:
                cats.append(m[1])
        if not cats:
            cats = ["pistol", "rifle", "shotgun"]
        for c in s["extra_cats"]:
            if c not in cats:
                cats.append(c)
        recovered = int(s["weapons"] * rng.uniform(0.20, 0.45)) if s["group"] == "manipur" \
            else int(s["weapons"] * rng.uniform(0.0, 0.25))
        rows.append({
            "id": lid, "date": s["date"],
            **{k: loc[k] for k in ("country", "place", "lat", "lon", "location_precision")},
            "facility": s["fname"], "facility_type": s["ftype"], "perpetrator": s["perp"],
            "weapons_looted": str(s["weapons"]), "rounds_looted": str(s["rounds"]),
            "categories": ";".join(cats), "serial_ranges": "; ".join(ranges),
            "lots": ";".join(lots), "recovered": str(recovered), "source": s["source"],
            "confidence": conf(s["conf"] + rng.uniform(-0.1, 0.08)),
        })
        d = s["date"]
        y, m_, dd = (d.split("-") + ["1", "1"])[:3]
        index[lid] = dict(group=s["group"], key=s["key"], date=date(int(y), int(m_), int(dd)),
                          ranges=model_ranges, lots=lots)
    # Write the country alias form only after the index is built (index keeps ISO3 keys).
    for r in rows:
        r["country"] = cc(rng, r["country"])
    return rows, index


# ---------------------------------------------------------------------------------------
# Seizures
# ---------------------------------------------------------------------------------------
MX_BORDER = ["Tijuana", "Mexicali", "Nogales", "Ciudad Juarez", "Nuevo Laredo", "Reynosa",
             "Matamoros", "Piedras Negras", "Ciudad Acuna", "Agua Prieta", "San Luis Rio Colorado"]
MX_BORDER_W = [14, 7, 8, 13, 11, 10, 9, 4, 3, 3, 3]
MX_INTERIOR = ["Hermosillo", "Chihuahua", "Monterrey", "Torreon", "Saltillo", "Ciudad Victoria",
               "Culiacan", "Mazatlan", "Los Mochis", "Durango", "Zacatecas", "Guadalajara",
               "Puerto Vallarta", "Morelia", "Uruapan", "Apatzingan", "Acapulco", "Chilpancingo",
               "Iguala", "Mexico City"]
MX_INTERIOR_W = [3, 3, 4, 2, 1, 1, 7, 2, 2, 1, 2, 6, 1, 3, 3, 3, 2, 2, 2, 3]
US_SIDE = ["Laredo", "El Paso", "Tucson", "San Diego", "Houston", "Phoenix", "San Antonio",
           "Dallas"]


def us_mex_seizures(rng: random.Random, n_mex: int, n_us: int) -> list[dict]:
    out = []
    # Running counts keep the US-sourced share of traced firearms at about 70% on each side
    # of the border instead of leaving it to sampling noise.
    traced_n = {False: 0, True: 0}
    us_n = {False: 0, True: 0}
    for i in range(n_mex + n_us):
        us_side = i >= n_mex
        if us_side:
            key = rng.choice(US_SIDE)
        elif rng.random() < 0.68:
            key = wchoice(rng, MX_BORDER, MX_BORDER_W)
        else:
            key = wchoice(rng, MX_INTERIOR, MX_INTERIOR_W)
        loc = location(rng, key)
        d = rand_date(rng, FIRST_DATE, LAST_DATE)
        r = rng.random()
        row = dict(date=fmt_date(rng, d), **loc,
                   transport_mode=wchoice(rng, ["land", "postal", "air", "sea", "unknown"],
                                          [0.84, 0.03, 0.02, 0.02, 0.09]),
                   source=rng.choice(["synthetic: customs report", "synthetic: police press "
                                      "release", "synthetic: prosecutor filing"]),
                   confidence=conf(rng.uniform(0.55, 0.95)))
        if r < 0.10:
            row.update(category="ammunition", quantity=0, rounds=rounds_amount(rng),
                       calibre=rng.choice(["5.56x45mm", "7.62x39mm", "9x19mm", ".38 Super",
                                           ".50 BMG"]),
                       origin=cc(rng, "USA"))
        elif r < 0.14:
            row.update(category="parts", quantity=rng.randint(1, 120),
                       make=rng.choice(["", "Polymer80", ""]),
                       model=rng.choice(["AR-15 lower receiver", "80% lower", "upper receiver"]),
                       calibre="", origin=cc(rng, "USA"),
                       transport_mode=rng.choice(["postal", "land", "land"]))
        elif r < 0.16:
            row.update(category="grenade", quantity=rng.randint(1, 30), make="",
                       model=rng.choice(["M67", "M26", "40mm HE"]), calibre="",
                       origin=cc(rng, rng.choice(["GTM", "HND", "USA", ""]) or "USA"))
        else:
            traced = rng.random() < 0.55
            us_src = False
            if traced:
                traced_n[us_side] += 1
                us_src = us_n[us_side] < round(0.70 * traced_n[us_side]) or rng.random() < 0.05
                us_n[us_side] += int(us_src)
            w = pick(rng, US_SOURCED, US_WEIGHTS) if (not traced or us_src) \
                else pick(rng, MX_NON_US)
            # Tracing is per firearm: traced rows carry one or a few weapons.
            q = (1 if rng.random() < 0.7 else rng.randint(2, 5)) if traced else quantity(rng)
            row.update(category=w[2], quantity=q, make=w[0], model=w[1], calibre=w[3])
            if q == 1 and rng.random() < 0.5:
                row["serial"] = random_serial(rng)
            if traced:
                row["country_of_manufacture"] = cc(rng, w[4])
                if w[5]:
                    row["last_legal_import"] = cc(rng, w[5])
                origin = ["USA"] if w[4] == "USA" or w[5] == "USA" else \
                    ([w[5]] if w[5] and w[5] != "MEX" else ([] if w[5] == "MEX" else [w[4]]))
                if origin:
                    row["origin"] = cc_list(rng, origin)
            elif rng.random() < 0.5:
                row["origin"] = cc(rng, "USA")
        dest = "MEX"
        if not us_side and rng.random() < 0.04:
            dest = rng.choice(["GTM", "HND"])
            row["transit"] = cc(rng, "MEX")
        row["destination"] = cc(rng, dest)
        out.append(seizure(**row))
    return out


def in_range_serial(rng: random.Random, ranges: list) -> tuple:
    m, start, end = rng.choice(ranges)
    return m, serial_of(m[3], rng.randint(start, end))


MANIPUR_SEIZE = ["Imphal", "Churachandpur", "Bishnupur", "Kangpokpi", "Thoubal", "Kakching",
                 "Moirang", "Ukhrul", "Senapati", "Jiribam", "Moreh"]
MANIPUR_SEIZE_W = [14, 8, 8, 4, 6, 4, 5, 2, 2, 2, 3]
NE_OTHER = ["Aizawl", "Champhai", "Lunglei", "Guwahati", "Silchar", "Dimapur", "Kohima"]
NE_OTHER_W = [3, 3, 1, 2, 3, 3, 2]


def ne_place(rng: random.Random, p_manipur: float) -> str:
    if rng.random() < p_manipur:
        return wchoice(rng, MANIPUR_SEIZE, MANIPUR_SEIZE_W)
    return wchoice(rng, NE_OTHER, NE_OTHER_W)


def ne_loc(rng: random.Random, key: str) -> dict:
    return location(rng, key, (["exact", "place", "admin1", "country"], [0.45, 0.38, 0.10, 0.07]))


def manipur_seizures(rng: random.Random, loot_index: dict, counts: dict) -> list[dict]:
    out = []
    manipur = [lid for lid, v in loot_index.items() if v["group"] == "manipur"]
    all_ranges = [(lid, r) for lid in manipur for r in loot_index[lid]["ranges"]]
    src = ["synthetic: police press release", "synthetic: state government statement",
           "synthetic: press report"]

    def after(lid):
        lo = loot_index[lid]["date"] + timedelta(days=rng.randint(1, 40))
        return rand_date(rng, lo, LAST_DATE)

    # (a) linked by traced_incident_id
    for _ in range(counts["by_id"]):
        lid = rng.choice(manipur)
        m, serial = in_range_serial(rng, loot_index[lid]["ranges"])
        q = 1 if rng.random() < 0.5 else rng.randint(2, 25)
        out.append(seizure(
            date=after(lid).isoformat(), **ne_loc(rng, ne_place(rng, 0.85)), category=m[1],
            quantity=q, model=m[0], calibre=m[2], serial=serial if q == 1 and rng.random() < 0.5
            else "", country_of_manufacture=cc(rng, m[5]) if m[5] else "",
            origin=cc(rng, "IND"), destination=cc(rng, "IND"), traced_incident_id=lid,
            transport_mode=rng.choice(["land", "land", "unknown"]), source=rng.choice(src),
            confidence=conf(rng.uniform(0.7, 0.95))))
    # (b) linked only by a serial inside a looted range (same model)
    for _ in range(counts["by_serial"]):
        lid, (m, start, end) = rng.choice(all_ranges)
        out.append(seizure(
            date=after(lid).isoformat(), **ne_loc(rng, ne_place(rng, 0.75)), category=m[1],
            quantity=1, model=m[0], calibre=m[2], serial=serial_of(m[3], rng.randint(start, end)),
            transport_mode=rng.choice(["land", "unknown"]), source=rng.choice(src),
            confidence=conf(rng.uniform(0.6, 0.9))))
    # (c) linked only by an ammunition lot
    for _ in range(counts["by_lot"]):
        lid = rng.choice(manipur)
        lot = rng.choice(loot_index[lid]["lots"])
        calibre = {"5.56": "5.56x45mm", "7.62": "7.62x39mm", "9mm": "9x19mm"}[lot.split("-")[1]]
        out.append(seizure(
            date=after(lid).isoformat(), **ne_loc(rng, ne_place(rng, 0.8)), category="ammunition",
            quantity=0, rounds=rng.randint(50, 6_000), calibre=calibre, lot=lot,
            transport_mode=rng.choice(["land", "unknown"]), source=rng.choice(src),
            confidence=conf(rng.uniform(0.6, 0.9))))
    # (d) decoys: same models and prefixes, serials outside every looted range
    for _ in range(counts["decoy"]):
        m = MODEL_INFO[rng.choice(["AK-47", "INSAS", "SLR"])]
        hi = max(end for _, (mm, _, end) in all_ranges if mm[0] == m[0])
        d = rand_date(rng, date(2023, 6, 1), LAST_DATE)
        out.append(seizure(
            date=d.isoformat(), **ne_loc(rng, ne_place(rng, 0.6)), category=m[1], quantity=1,
            model=m[0], calibre=m[2], serial=serial_of(m[3], hi + rng.randint(50_000, 300_000)),
            origin=cc(rng, "MMR"), transport_mode="land", source=rng.choice(src),
            confidence=conf(rng.uniform(0.5, 0.85))))
    # (e) unlinked cross-border flow from Myanmar
    mm_weapons = [("", "M16A1", "assault_rifle", "5.56x45mm", "USA", ""),
                  ("", "Type 81", "assault_rifle", "7.62x39mm", "CHN", ""),
                  ("", "MA-1", "assault_rifle", "5.56x45mm", "MMR", ""),
                  ("", "AK-pattern", "assault_rifle", "7.62x39mm", "", ""),
                  ("", "M79", "grenade_launcher", "40mm", "USA", ""),
                  ("", "hand grenade", "grenade", "", "", ""),
                  ("", "pipe gun", "improvised", "", "", "")]
    for _ in range(counts["myanmar"]):
        key = wchoice(rng, ["Moreh", "Champhai", "Aizawl", "Churachandpur", "Ukhrul", "Imphal",
                            "Kohima", "Dimapur", "Silchar", "Guwahati", "Lunglei"],
                      [8, 8, 4, 5, 3, 4, 2, 2, 2, 1, 2])
        d = rand_date(rng, FIRST_DATE, LAST_DATE)
        w = rng.choice(mm_weapons)
        q = quantity(rng)
        transit = cc(rng, "MMR") if rng.random() < 0.2 else ""
        out.append(seizure(
            date=fmt_date(rng, d), **ne_loc(rng, key), category=w[2], quantity=q, model=w[1],
            calibre=w[3], country_of_manufacture=cc(rng, w[4]) if w[4] and rng.random() < 0.6
            else "", origin=cc(rng, "MMR") if not transit else cc(rng, "CHN"), transit=transit,
            destination=cc(rng, "IND"), transport_mode=rng.choice(["land", "land", "unknown"]),
            source=rng.choice(["synthetic: border force report", "synthetic: press report"]),
            confidence=conf(rng.uniform(0.5, 0.9))))
    return out


LIBYA_DESTS = [
    # (destination ISO3, place keys, transit list options, weight)
    ("NER", ["Agadez", "Arlit", "Dirkou", "Niamey", "Tahoua"], [[]], 14),
    ("MLI", ["Gao", "Kidal", "Timbuktu", "Menaka", "Mopti", "Bamako"],
     [["NER"], ["DZA"], ["NER"]], 14),
    ("TCD", ["Faya-Largeau", "NDjamena", "Abeche"], [[]], 7),
    ("BFA", ["Djibo", "Dori", "Ouagadougou", "Fada Ngourma"], [["NER"], ["NER", "MLI"]], 7),
    ("DZA", ["Djanet", "Illizi", "Tamanrasset", "Ouargla"], [[]], 6),
    ("TUN", ["Ben Gardane", "Medenine", "Tataouine", "Kasserine", "Tunis"], [[]], 8),
    ("EGY", ["Marsa Matruh", "Siwa", "Cairo", "Alexandria", "Arish"], [[]], 9),
    ("PSE", ["Rafah", "Khan Yunis", "Gaza"], [["EGY"]], 7),
    ("LBN", ["Tripoli LB", "Baalbek", "Beirut"], [[], ["EGY"]], 4),
    ("SYR", ["Homs", "Idlib", "Damascus"], [["LBN"], ["TUR"], []], 4),
]
LIBYA_SEIZE_IN_LIBYA = ["Sabha", "Ubari", "Murzuq", "Kufra", "Ghat", "Tripoli", "Benghazi",
                        "Tobruk", "Misratah"]
LIBYA_COAST = ["Tripoli", "Misratah", "Benghazi", "Tobruk"]
LIBYA_ORIGIN_WEAPONS = [
    ("", "AK-103", "assault_rifle", "7.62x39mm", "RUS", "LBY"),
    ("FN Herstal", "FN FAL", "rifle", "7.62x51mm", "BEL", "LBY"),
    ("FN Herstal", "FN F2000", "assault_rifle", "5.56x45mm", "BEL", "LBY"),
    ("Norinco", "Type 56", "assault_rifle", "7.62x39mm", "CHN", "LBY"),
    ("", "PKM", "machine_gun", "7.62x54mmR", "RUS", "LBY"),
    ("", "9K32 Strela-2", "manpads", "72mm", "RUS", "LBY"),
    ("", "RPG-7", "rocket_launcher", "40mm", "RUS", "LBY"),
    ("", "DShK", "machine_gun", "12.7x108mm", "RUS", "LBY"),
    ("", "82mm mortar", "mortar", "82mm", "", "LBY"),
]
LIBYA_ORIGIN_W = [30, 12, 4, 16, 12, 2, 12, 6, 4]


def libya_seizures(rng: random.Random, loot_index: dict, n: int) -> list[dict]:
    out = []
    libyan = [lid for lid, v in loot_index.items() if v["group"] == "libya"]
    for _ in range(n):
        if rng.random() < 0.15:
            dest_row = wchoice(rng, LIBYA_DESTS, [x[3] for x in LIBYA_DESTS])
            dest, transit = dest_row[0], []
            # Shipments to the Levant leave by sea, so they are seized on the Libyan coast.
            key = rng.choice(LIBYA_COAST if dest in ("LBN", "SYR") else LIBYA_SEIZE_IN_LIBYA)
        else:
            dest_row = wchoice(rng, LIBYA_DESTS, [x[3] for x in LIBYA_DESTS])
            dest, key = dest_row[0], rng.choice(dest_row[1])
            transit = rng.choice(dest_row[2])
        loc = location(rng, key)
        d = rand_date(rng, FIRST_DATE, LAST_DATE)
        mode = "land"
        if dest in ("LBN", "SYR") and not transit:
            mode = "sea"
        elif rng.random() < 0.1:
            mode = "unknown"
        row = dict(date=fmt_date(rng, d), **loc, origin=cc(rng, "LBY"),
                   transit=cc_list(rng, transit), destination=cc(rng, dest), transport_mode=mode,
                   source=rng.choice(["synthetic: UN panel report", "synthetic: customs report",
                                      "synthetic: NGO field report"]),
                   confidence=conf(rng.uniform(0.45, 0.9)))
        r = rng.random()
        if r < 0.15:
            row.update(category="ammunition", quantity=0, rounds=rounds_amount(rng),
                       calibre=rng.choice(["7.62x39mm", "7.62x54mmR", "12.7x108mm", "14.5x114mm"]))
        elif r < 0.20:
            row.update(category=rng.choice(["explosives", "grenade"]), quantity=rng.randint(1, 80))
        else:
            w = pick(rng, LIBYA_ORIGIN_WEAPONS, LIBYA_ORIGIN_W)
            q = quantity(rng)
            row.update(category=w[2], quantity=q, make=w[0], model=w[1], calibre=w[3])
            if rng.random() < 0.6 and w[4]:
                row["country_of_manufacture"] = cc(rng, w[4])
            if rng.random() < 0.5:
                row["last_legal_import"] = cc(rng, w[5])
            # Tracing links to Libyan depot lootings (only for models present in the depots).
            if w[1] in MODEL_INFO and rng.random() < 0.35:
                cands = [lid for lid in libyan if any(m[0] == w[1]
                                                      for m, _, _ in loot_index[lid]["ranges"])
                         and loot_index[lid]["date"] < d]
                if cands:
                    lid = rng.choice(cands)
                    row["traced_incident_id"] = lid
                    row["date"] = d.isoformat()  # a trace needs an unambiguous date
                    if q == 1 and rng.random() < 0.6:
                        rr = [x for x in loot_index[lid]["ranges"] if x[0][0] == w[1]]
                        _, serial = in_range_serial(rng, rr)
                        row["serial"] = serial
        out.append(seizure(**row))
    return out


BALKAN_PATHS = [
    # (origin, transit, destination)
    ("SRB", ["HRV", "SVN"], "AUT"), ("XKX", ["SRB", "HRV", "SVN", "AUT"], "DEU"),
    ("BIH", ["HRV", "SVN", "AUT"], "DEU"), ("SRB", ["HUN", "AUT"], "DEU"),
    ("MKD", ["SRB", "HUN", "AUT", "DEU"], "NLD"), ("MNE", ["BIH", "HRV", "SVN", "AUT"], "DEU"),
    ("ALB", ["MNE", "BIH", "HRV", "SVN"], "AUT"), ("BIH", ["HRV", "SVN", "AUT", "DEU"], "FRA"),
    ("SRB", ["HRV", "SVN", "AUT", "DEU"], "BEL"), ("BIH", ["HRV", "SVN", "AUT", "DEU"], "SWE"),
    ("SRB", ["HUN", "AUT", "DEU"], "FRA"), ("XKX", ["SRB", "HUN", "AUT", "DEU"], "BEL"),
    ("BIH", ["HRV", "SVN", "AUT", "DEU"], "NLD"), ("SRB", ["HRV", "SVN", "AUT", "DEU"], "SWE"),
    ("SRB", [], "AUT"), ("BIH", [], "DEU"),
]
BALKAN_PATH_W = [10, 6, 9, 6, 3, 3, 3, 8, 5, 5, 5, 3, 5, 4, 4, 3]
EU_PLACES = {
    "AUT": ["Vienna", "Graz", "Salzburg", "Linz"],
    "DEU": ["Munich", "Berlin", "Frankfurt", "Cologne", "Hamburg"],
    "FRA": ["Paris", "Marseille", "Lyon", "Lille"],
    "NLD": ["Amsterdam", "Rotterdam", "Utrecht"],
    "BEL": ["Brussels", "Antwerp", "Liege"],
    "SWE": ["Stockholm", "Malmo", "Gothenburg", "Uppsala"],
    "SRB": ["Belgrade", "Novi Sad", "Nis"], "BIH": ["Sarajevo", "Mostar", "Banja Luka"],
    "MNE": ["Podgorica"], "XKX": ["Pristina", "Prizren"], "ALB": ["Tirana", "Durres"],
    "MKD": ["Skopje"], "HRV": ["Zagreb"], "SVN": ["Ljubljana"],
}


def balkan_seizures(rng: random.Random, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        origin, transit, dest = wchoice(rng, BALKAN_PATHS, BALKAN_PATH_W)
        chain = [origin] + transit + [dest]
        # 75% are seized at the destination, the rest somewhere along the chain.
        if rng.random() < 0.75:
            where = dest
        else:
            where = rng.choice([c for c in chain if c in EU_PLACES])
        key = rng.choice(EU_PLACES[where])
        loc = location(rng, key)
        d = rand_date(rng, FIRST_DATE, LAST_DATE)
        origins = [origin] if rng.random() < 0.9 else [origin, rng.choice(["SRB", "BIH", "MNE"])]
        if len(origins) == 2 and origins[0] == origins[1]:
            origins = origins[:1]
        row = dict(date=fmt_date(rng, d), **loc, origin=cc_list(rng, origins),
                   transit=cc_list(rng, transit) if rng.random() < 0.8 else "",
                   destination=cc(rng, dest),
                   transport_mode=wchoice(rng, ["land", "postal", "unknown"], [0.8, 0.08, 0.12]),
                   source=rng.choice(["synthetic: police press release",
                                      "synthetic: customs report", "synthetic: court record"]),
                   confidence=conf(rng.uniform(0.55, 0.95)))
        if rng.random() < 0.1:
            row.update(category="ammunition", quantity=0, rounds=rounds_amount(rng) // 10 + 20,
                       calibre=rng.choice(["7.62x39mm", "7.62x25mm", "9x19mm"]))
        else:
            w = pick(rng, BALKAN_WEAPONS, BALKAN_WEIGHTS)
            q = quantity(rng) if w[2] != "grenade" else rng.randint(1, 20)
            q = min(q, 60)
            row.update(category=w[2], quantity=q, make=w[0], model=w[1], calibre=w[3])
            if rng.random() < 0.7:
                row["country_of_manufacture"] = cc(rng, w[4])
            if q == 1 and rng.random() < 0.4:
                row["serial"] = random_serial(rng)
        out.append(seizure(**row))
    return out


def iran_seizures(rng: random.Random, n_sea: int, n_land: int) -> list[dict]:
    out = []
    sea_points = list(SEA_POINTS)
    rng.shuffle(sea_points)
    for i in range(n_sea + n_land):
        at_sea = i < n_sea
        dest = "YEM" if rng.random() < 0.65 else "SOM"
        d = rand_date(rng, FIRST_DATE, LAST_DATE)
        if at_sea:
            lat, lon = sea_points[i % len(sea_points)]
            loc = {"country": dest, "place": "", "lat": f5(lat), "lon": f5(lon),
                   "location_precision": "exact"}
            transit, mode = [], "sea"
        else:
            towns = (["Al Ghaydah", "Mukalla", "Marib", "Sanaa", "Hodeidah", "Aden"]
                     if dest == "YEM" else ["Bosaso", "Garoowe", "Laascaanood", "Mogadishu"])
            key = rng.choice(towns)
            loc = location(rng, key)
            transit = (["OMN"] if rng.random() < 0.4 else []) if dest == "YEM" else \
                (["YEM"] if rng.random() < 0.5 else [])
            mode = "land" if transit == ["OMN"] else rng.choice(["land", "sea", "unknown"])
        row = dict(date=fmt_date(rng, d) if not at_sea else d.isoformat(), **loc,
                   origin=cc(rng, "IRN"), transit=cc_list(rng, transit), destination=cc(rng, dest),
                   transport_mode=mode,
                   source=rng.choice(["synthetic: naval interdiction report",
                                      "synthetic: UN panel report"]) if at_sea else
                   rng.choice(["synthetic: UN panel report", "synthetic: NGO field report"]),
                   confidence=conf(rng.uniform(0.75, 0.95) if at_sea else rng.uniform(0.4, 0.8)))
        if rng.random() < 0.15:
            row.update(category="ammunition", quantity=0,
                       rounds=rng.randint(50_000, 900_000) if at_sea else rounds_amount(rng),
                       calibre=rng.choice(["7.62x39mm", "7.62x54mmR", "12.7x108mm"]))
        else:
            w = pick(rng, IRAN_WEAPONS, IRAN_WEIGHTS)
            q = rng.randint(40, 400) if at_sea else quantity(rng)
            row.update(category=w[2], quantity=q, make=w[0], model=w[1], calibre=w[3])
            if rng.random() < 0.7:
                row["country_of_manufacture"] = cc(rng, w[4])
        out.append(seizure(**row))
    return out


def noise_seizures(rng: random.Random, loot_index: dict, n: int) -> list[dict]:
    out = []
    countries = list(NOISE_WEIGHTS)
    weights = [NOISE_WEIGHTS[c] for c in countries]
    for _ in range(n):
        c = wchoice(rng, countries, weights)
        key = rng.choice(NOISE_PLACES[c])
        loc = location(rng, key)
        d = rand_date(rng, FIRST_DATE, LAST_DATE)
        w = rng.choice(NOISE_WEAPONS[c])
        q = quantity(rng)
        origin = ""
        if NOISE_ORIGINS[c] and rng.random() < 0.35:
            origin = cc(rng, rng.choice(NOISE_ORIGINS[c]))
        row = dict(date=fmt_date(rng, d), **loc, category=w[2], quantity=q, make=w[0],
                   model=w[1], calibre=w[3], origin=origin,
                   destination=cc(rng, c) if origin else "",
                   transport_mode=wchoice(rng, ["land", "sea", "air", "postal", "unknown"],
                                          [0.5, 0.08, 0.04, 0.03, 0.35]),
                   source=rng.choice(["synthetic: police press release",
                                      "synthetic: press report", "synthetic: customs report"]),
                   confidence=conf(rng.uniform(0.3, 0.85)))
        if w[4] and rng.random() < 0.5:
            row["country_of_manufacture"] = cc(rng, w[4])
        if w[5] and rng.random() < 0.5:
            row["last_legal_import"] = cc(rng, w[5])
        if q == 1 and w[2] in FIREARM_CATEGORIES and rng.random() < 0.3:
            row["serial"] = random_serial(rng)
        if rng.random() < 0.08:
            row.update(category="ammunition", quantity=0, rounds=rounds_amount(rng), make="",
                       model="", serial="", country_of_manufacture="", last_legal_import="")
        out.append(seizure(**row))
    # A few seizures traced to the non-Manipur, non-Libya lootings in the same country.
    others = [lid for lid, v in loot_index.items() if v["group"] == "other"]
    linked = 0
    for row in out:
        if linked >= 12:
            break
        for lid in others:
            v = loot_index[lid]
            if PLACES[v["key"]][1] == row["country"] and row["category"] in FIREARM_CATEGORIES \
                    and row["date"][:10] > v["date"].isoformat():
                row["traced_incident_id"] = lid
                row["serial"] = ""  # a random serial would contradict the incident's ranges
                linked += 1
                break
    return out


def sahel_traced(rng: random.Random, loot_index: dict, n: int) -> list[dict]:
    """Seizures in Mali / Burkina Faso / Niger traced to looted military posts there."""
    out = []
    sahel = [lid for lid, v in loot_index.items() if v["group"] == "other" and v["ranges"]
             and PLACES[v["key"]][1] in ("MLI", "BFA", "NER")]
    for _ in range(n):
        lid = rng.choice(sahel)
        v = loot_index[lid]
        iso = PLACES[v["key"]][1]
        key = rng.choice([k for k, p in PLACES.items() if p[1] == iso])
        m, serial = in_range_serial(rng, v["ranges"])
        d = rand_date(rng, v["date"] + timedelta(days=rng.randint(10, 200)), LAST_DATE)
        q = 1 if rng.random() < 0.6 else rng.randint(2, 15)
        out.append(seizure(
            date=d.isoformat(), **location(rng, key), category=m[1], quantity=q, model=m[0],
            calibre=m[2], serial=serial if q == 1 else "", country_of_manufacture=cc(rng, m[5]),
            origin=cc(rng, iso), destination=cc(rng, iso), traced_incident_id=lid,
            transport_mode=rng.choice(["land", "unknown"]),
            source="synthetic: NGO field report", confidence=conf(rng.uniform(0.6, 0.9))))
    return out


def build_seizures(rng: random.Random, loot_index: dict, total: int) -> list[dict]:
    rows = []
    rows += us_mex_seizures(rng, n_mex=900, n_us=60)
    rows += manipur_seizures(rng, loot_index, dict(by_id=80, by_serial=60, by_lot=50, decoy=12,
                                                   myanmar=80))
    rows += libya_seizures(rng, loot_index, 260)
    rows += sahel_traced(rng, loot_index, 20)
    rows += balkan_seizures(rng, 220)
    rows += iran_seizures(rng, n_sea=10, n_land=55)
    rows += noise_seizures(rng, loot_index, total - len(rows))
    # Sort by (date, country, place, category, model, serial, ...) and number chronologically.
    rows.sort(key=lambda r: tuple(r[c] for c in SEIZURE_COLUMNS[1:]))
    for i, r in enumerate(rows, start=1):
        r["id"] = f"SZ-{i:06d}"
    # Country column in alias form for a few rows (after sorting, so ids stay stable).
    for r in rows:
        if r["country"] in ALIASES:
            r["country"] = cc(rng, r["country"])
    return rows


# ---------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------
def P(key: str) -> str:
    """A place-valued route endpoint: "Tijuana, MEX"."""
    return f"{PLACES[key][0]}, {PLACES[key][1]}"


ROUTE_EDGES = [
    # corridor, from, to, mode, volume (weapons/yr, central estimate)
    # United States -> Mexico
    ("usmx", "USA", "MEX", "land", 120_000), ("usmx", "USA", "MEX", "postal", 1_500),
    ("usmx", "USA", "MEX", "air", 800), ("usmx", "USA", "MEX", "sea", 1_200),
    ("usmx", P("San Diego"), P("Tijuana"), "land", 9_000),
    ("usmx", P("Phoenix"), P("Nogales"), "land", 11_000),
    ("usmx", P("Tucson"), P("Nogales"), "land", 8_000),
    ("usmx", P("Tucson"), P("Agua Prieta"), "land", 2_500),
    ("usmx", P("San Diego"), P("Mexicali"), "land", 3_500),
    ("usmx", P("El Paso"), P("Ciudad Juarez"), "land", 14_000),
    ("usmx", P("Laredo"), P("Nuevo Laredo"), "land", 12_000),
    ("usmx", P("Houston"), P("Nuevo Laredo"), "land", 9_000),
    ("usmx", P("Houston"), P("Reynosa"), "land", 10_000),
    ("usmx", P("Houston"), P("Matamoros"), "land", 8_000),
    ("usmx", P("San Antonio"), P("Piedras Negras"), "land", 3_000),
    ("usmx", P("San Antonio"), P("Ciudad Acuna"), "land", 2_000),
    ("usmx", P("Dallas"), P("Laredo"), "land", 5_000),
    ("usmx", P("Tijuana"), P("Culiacan"), "land", 4_000),
    ("usmx", P("Mexicali"), P("Hermosillo"), "land", 2_000),
    ("usmx", P("Nogales"), P("Hermosillo"), "land", 6_000),
    ("usmx", P("Hermosillo"), P("Los Mochis"), "land", 4_500),
    ("usmx", P("Los Mochis"), P("Culiacan"), "land", 5_000),
    ("usmx", P("Ciudad Juarez"), P("Chihuahua"), "land", 7_000),
    ("usmx", P("Chihuahua"), P("Culiacan"), "land", 3_000),
    ("usmx", P("Chihuahua"), P("Durango"), "land", 2_500),
    ("usmx", P("Nuevo Laredo"), P("Monterrey"), "land", 9_000),
    ("usmx", P("Reynosa"), P("Monterrey"), "land", 6_000),
    ("usmx", P("Matamoros"), P("Ciudad Victoria"), "land", 3_000),
    ("usmx", P("Monterrey"), P("Saltillo"), "land", 3_000),
    ("usmx", P("Monterrey"), P("Zacatecas"), "land", 3_000),
    ("usmx", P("Saltillo"), P("Torreon"), "land", 2_000),
    ("usmx", P("Torreon"), P("Zacatecas"), "land", 2_500),
    ("usmx", P("Zacatecas"), P("Guadalajara"), "land", 4_000),
    ("usmx", P("Culiacan"), P("Mazatlan"), "land", 3_500),
    ("usmx", P("Mazatlan"), P("Guadalajara"), "land", 3_000),
    ("usmx", P("Guadalajara"), P("Uruapan"), "land", 3_000),
    ("usmx", P("Guadalajara"), P("Apatzingan"), "land", 2_500),
    ("usmx", P("Uruapan"), P("Apatzingan"), "land", 1_500),
    ("usmx", P("Uruapan"), P("Morelia"), "land", 1_000),
    ("usmx", P("Morelia"), P("Iguala"), "land", 1_200),
    ("usmx", P("Mexico City"), P("Iguala"), "land", 1_500),
    ("usmx", P("Iguala"), P("Chilpancingo"), "land", 1_500),
    ("usmx", P("Chilpancingo"), P("Acapulco"), "land", 1_800),
    ("usmx", P("Ciudad Victoria"), P("Mexico City"), "land", 2_000),
    ("usmx", "MEX", "GTM", "land", 2_000), ("usmx", "USA", "GTM", "air", 600),
    ("usmx", "USA", "HND", "sea", 500),
    # Myanmar -> India (Manipur, Mizoram) and onwards
    ("mmin", "MMR", "IND", "land", 3_000),
    ("mmin", P("Mandalay"), P("Tamu"), "land", 1_200),
    ("mmin", P("Tamu"), P("Moreh"), "land", 1_500),
    ("mmin", P("Kalemyo"), P("Aizawl"), "land", 1_400),
    ("mmin", P("Moreh"), P("Imphal"), "land", 1_200),
    ("mmin", P("Moreh"), P("Churachandpur"), "land", 500),
    ("mmin", P("Aizawl"), P("Churachandpur"), "land", 700),
    ("mmin", P("Kalemyo"), P("Tamu"), "land", 900),
    ("mmin", P("Aizawl"), P("Silchar"), "land", 500),
    ("mmin", P("Imphal"), P("Kohima"), "land", 400),
    ("mmin", P("Kohima"), P("Dimapur"), "land", 450),
    ("mmin", P("Dimapur"), P("Guwahati"), "land", 300),
    ("mmin", P("Imphal"), P("Silchar"), "land", 250),
    ("mmin", P("Imphal"), P("Thoubal"), "land", 300),
    ("mmin", P("Imphal"), P("Churachandpur"), "land", 600),
    ("mmin", P("Churachandpur"), P("Imphal"), "land", 600),
    ("mmin", P("Churachandpur"), P("Moirang"), "land", 400),
    ("mmin", "CHN", "MMR", "land", 2_000),
    # Libya -> Sahel, Maghreb, Egypt, Levant
    ("liby", "LBY", "NER", "land", 6_000), ("liby", "LBY", "TCD", "land", 3_000),
    ("liby", "LBY", "DZA", "land", 2_500), ("liby", "LBY", "TUN", "land", 3_000),
    ("liby", "LBY", "EGY", "land", 5_000), ("liby", "NER", "MLI", "land", 4_000),
    ("liby", "NER", "BFA", "land", 1_500), ("liby", "MLI", "BFA", "land", 2_000),
    ("liby", "DZA", "MLI", "land", 1_200), ("liby", "EGY", "PSE", "land", 2_500),
    ("liby", "LBY", "LBN", "sea", 1_500), ("liby", "LBY", "SYR", "sea", 1_200),
    ("liby", "LBN", "SYR", "land", 2_000), ("liby", "TUR", "SYR", "land", 3_000),
    ("liby", "NER", "NGA", "land", 1_000),
    ("liby", P("Sabha"), P("Agadez"), "land", 3_000),
    ("liby", P("Murzuq"), P("Agadez"), "land", 1_500),
    ("liby", P("Sabha"), P("Murzuq"), "land", 1_200),
    ("liby", P("Ubari"), P("Tamanrasset"), "land", 600),
    ("liby", P("Sabha"), P("Ubari"), "land", 700),
    ("liby", P("Agadez"), P("Tahoua"), "land", 1_500),
    ("liby", P("Tahoua"), P("Niamey"), "land", 1_000),
    ("liby", P("Agadez"), P("Gao"), "land", 1_800),
    ("liby", P("Gao"), P("Djibo"), "land", 600),
    ("liby", P("Niamey"), P("Dori"), "land", 500),
    ("liby", P("Tamanrasset"), P("Kidal"), "land", 800),
    ("liby", P("Kufra"), P("Faya-Largeau"), "land", 1_500),
    ("liby", P("Tripoli"), P("Ben Gardane"), "land", 1_800),
    ("liby", P("Benghazi"), P("Tobruk"), "land", 2_000),
    ("liby", P("Tobruk"), P("Marsa Matruh"), "land", 2_500),
    ("liby", P("Marsa Matruh"), P("Cairo"), "land", 1_500),
    ("liby", P("Cairo"), P("Arish"), "land", 1_800),
    ("liby", P("Arish"), P("Rafah"), "land", 2_000),
    ("liby", P("Misratah"), P("Tripoli LB"), "sea", 900),
    # Western Balkans -> EU
    ("balk", "SRB", "HRV", "land", 1_500), ("balk", "HRV", "SVN", "land", 2_500),
    ("balk", "SVN", "AUT", "land", 2_500), ("balk", "AUT", "DEU", "land", 3_000),
    ("balk", "SRB", "HUN", "land", 1_200), ("balk", "HUN", "AUT", "land", 1_300),
    ("balk", "BIH", "HRV", "land", 1_800), ("balk", "MNE", "BIH", "land", 500),
    ("balk", "ALB", "MNE", "land", 400), ("balk", "XKX", "SRB", "land", 700),
    ("balk", "MKD", "SRB", "land", 500), ("balk", "DEU", "NLD", "land", 800),
    ("balk", "DEU", "FRA", "land", 1_000), ("balk", "DEU", "BEL", "land", 700),
    ("balk", "BEL", "FRA", "land", 900),
    ("balk", "DEU", "SWE", "sea", 600), ("balk", "DEU", "SWE", "postal", 200),
    ("balk", "SRB", "AUT", "land", 800), ("balk", "BIH", "AUT", "land", 700),
    ("balk", P("Belgrade"), P("Vienna"), "land", 500),
    ("balk", P("Sarajevo"), P("Zagreb"), "land", 450),
    ("balk", P("Zagreb"), P("Ljubljana"), "land", 600),
    ("balk", P("Ljubljana"), P("Graz"), "land", 400),
    ("balk", P("Vienna"), P("Munich"), "land", 350),
    ("balk", P("Brussels"), P("Paris"), "land", 400),
    ("balk", P("Amsterdam"), P("Malmo"), "postal", 100),
    ("balk", P("Malmo"), P("Stockholm"), "land", 250),
    # Iran -> Yemen and Somalia (sea)
    ("iran", "IRN", "YEM", "sea", 8_000), ("iran", "IRN", "SOM", "sea", 3_000),
    ("iran", "YEM", "SOM", "sea", 1_500), ("iran", "SOM", "YEM", "sea", 1_000),
    ("iran", "OMN", "YEM", "land", 1_200),
    ("iran", P("Jask"), P("Mukalla"), "sea", 1_500),
    ("iran", P("Chabahar"), P("Bosaso"), "sea", 1_000),
    ("iran", P("Bandar Abbas"), P("Mukalla"), "sea", 800),
    ("iran", P("Salalah"), P("Marib"), "land", 700),
    ("iran", P("Bosaso"), P("Garoowe"), "land", 500),
    # Background
    ("bg", "PRY", "BRA", "land", 3_000), ("bg", "USA", "BRA", "air", 800),
    ("bg", "VEN", "COL", "land", 1_500), ("bg", "USA", "HTI", "sea", 2_500),
    ("bg", "MOZ", "ZAF", "land", 900),
    ("bg", "CMR", "NGA", "land", 700), ("bg", "UGA", "COD", "land", 600),
    ("bg", "SSD", "KEN", "land", 400),
]

CORRIDOR_SOURCES = {
    "usmx": ["synthetic: customs report", "synthetic: prosecutor filing",
             "synthetic: research report"],
    "mmin": ["synthetic: press report", "synthetic: border force report"],
    "liby": ["synthetic: UN panel report", "synthetic: research report"],
    "balk": ["synthetic: police press release", "synthetic: research report"],
    "iran": ["synthetic: UN panel report", "synthetic: naval interdiction report"],
    "bg": ["synthetic: research report", "synthetic: press report"],
}
CORRIDOR_YEARS = {"usmx": 2015, "mmin": 2015, "liby": 2015, "balk": 2015, "iran": 2015,
                  "bg": 2015}


def route_endpoint(rng: random.Random, value: str) -> str:
    """Country endpoints get the alias treatment; place endpoints stay "Town, ISO3"."""
    return value if "," in value else cc(rng, value)


def build_routes(rng: random.Random, total: int) -> list[dict]:
    staged = []
    for corridor, frm, to, mode, vol in ROUTE_EDGES:
        staged.append((corridor, frm, to, mode, vol, False))
    # Repeat reports of the biggest country-level edges from a second source (written with
    # aliases) until the total is reached: an analysis must merge them, not double-count.
    big = sorted([e for e in ROUTE_EDGES if "," not in e[1] and "," not in e[2]],
                 key=lambda e: (-e[4], e[1], e[2], e[3]))
    k = 0
    while len(staged) < total:
        corridor, frm, to, mode, vol = big[k % len(big)]
        staged.append((corridor, frm, to, mode, vol, True))
        k += 1
    rows = []
    for corridor, frm, to, mode, vol, dup in staged:
        y0 = CORRIDOR_YEARS[corridor] + rng.randint(0, 4)
        y1 = rng.randint(max(y0 + 1, 2019), 2025)  # a later year: no same-year ambiguity
        first = fmt_date(rng, date(y0, rng.randint(1, 12), rng.randint(1, 28)), 0.4, 0.3)
        last = fmt_date(rng, date(y1, rng.randint(1, 12), rng.randint(1, 28)), 0.4, 0.3)
        reports = max(1, int(round((vol ** 0.5) / 4 * rng.uniform(0.5, 1.5))))
        volume = vol * rng.uniform(0.8, 1.25)
        if dup:
            frm_w, to_w = (ALIASES[frm][1] if frm in ALIASES else frm,
                           ALIASES[to][1] if to in ALIASES else to)
            reports = max(1, reports // 3)
            volume *= rng.uniform(0.6, 1.4)
            source = "synthetic: NGO field report"
        else:
            frm_w, to_w = route_endpoint(rng, frm), route_endpoint(rng, to)
            source = rng.choice(CORRIDOR_SOURCES[corridor])
        rows.append({"from": frm_w, "to": to_w, "mode": mode, "first_reported": first,
                     "last_reported": last, "reports": str(reports), "volume": f"{volume:.1f}",
                     "confidence": conf(rng.uniform(0.35, 0.9)), "source": source,
                     "_key": (corridor, frm, to, mode, dup)})
    rows.sort(key=lambda r: (r["_key"][0], r["_key"][1], r["_key"][2], r["_key"][3],
                             r["_key"][4]))
    out = []
    for i, r in enumerate(rows, start=1):
        r = {k: v for k, v in r.items() if k != "_key"}
        r["id"] = f"RT-{i:04d}"
        out.append(r)
    return out


# ---------------------------------------------------------------------------------------
# Legal transfers (synthetic). Each line: supplier, recipient, order year, delivery years,
# designation, description, category, number, status, note. Modelled on what public
# registers and investigations report about these corridors; every number is invented.
# ---------------------------------------------------------------------------------------
TRANSFER_DEALS = [
    # Pre-2011 Libyan state imports (SIPRI register entries for Libya 2004-2010; the FN
    # F2000 sale of 2009 reported by the Belgian press); the stock later looted.
    ("Belgium", "Libya", 2008, [2009], "FN F2000", "assault rifle", "Small arms", 367, "New", ""),
    ("Belgium", "Libya", 2008, [2009], "FN P90", "submachine gun", "Small arms", 50, "New", ""),
    ("Russia", "Libya", 2007, [2008, 2009, 2010], "AK-103", "assault rifle", "Small arms", 2400, "New", ""),
    ("Russia", "Libya", 2008, [2010], "9K38 Igla", "portable SAM", "Missiles", 60, "New", ""),
    ("Italy", "Libya", 2009, [2009, 2010], "Beretta PX4", "pistol", "Small arms", 1100, "New", ""),
    ("Ukraine", "Libya", 2006, [2007], "PKM", "machine gun", "Small arms", 300, "Second hand", ""),
    ("Soviet Union", "Libya", 1985, [1986, 1987], "AKM", "assault rifle", "Small arms", 20000, "New", ""),
    # Mexico: government purchases from the United States (modelled on US Direct Commercial
    # Sales reports) and the German rifle exports of 2006-2009 later found with
    # unauthorised state forces (the public Heckler & Koch G36 case).
    ("Germany", "Mexico", 2006, [2007, 2008, 2009], "G36", "assault rifle", "Small arms", 4200, "New", ""),
    ("United States", "Mexico", 2014, [2015, 2016], "M4A1", "carbine", "Small arms", 5000, "New", ""),
    ("United States", "Mexico", 2016, [2017, 2018], "Sig Sauer P320", "pistol", "Small arms", 3500, "New", ""),
    ("United States", "Mexico", 2018, [2019, 2020, 2021], "Colt M16A4", "assault rifle", "Small arms", 6000, "New", ""),
    ("United States", "Mexico", 2021, [2022, 2023], "Black Hawk", "helicopter", "Aircraft", 8, "New", "TIV"),
    ("Israel", "Mexico", 2016, [2017], "Tavor X95", "assault rifle", "Small arms", 900, "New", ""),
    # Myanmar's armed forces: imports from Russia and China (SIPRI; UN Special Rapporteur on
    # Myanmar, "The Billion Dollar Death Trade", 2023).
    ("China", "Myanmar", 2015, [2016, 2017], "Type 81", "assault rifle", "Small arms", 8000, "New", ""),
    ("China", "Myanmar", 2018, [2019, 2020], "Type 56", "assault rifle", "Small arms", 6000, "Second hand", ""),
    ("Russia", "Myanmar", 2018, [2021, 2022], "Yak-130", "trainer/combat aircraft", "Aircraft", 6, "New", "TIV"),
    ("Russia", "Myanmar", 2020, [2022, 2023], "AK-103", "assault rifle", "Small arms", 3000, "New", ""),
    ("India", "Myanmar", 2019, [2020], "INSAS", "assault rifle", "Small arms", 1500, "Second hand", "aid"),
    # Sahel state forces: transfers to Mali, Burkina Faso and Niger before posts were overrun.
    ("France", "Mali", 2013, [2014, 2015], "MAS-49", "rifle", "Small arms", 800, "Second hand", "aid"),
    ("Russia", "Mali", 2021, [2022], "Mi-171Sh", "helicopter", "Aircraft", 4, "New", "TIV"),
    ("Russia", "Mali", 2021, [2022, 2023], "AK-74M", "assault rifle", "Small arms", 2500, "New", ""),
    ("NATO**", "Mali", 2014, [2015], "training ammunition", "ammunition", "Ammunition", 0, "New", ""),
    ("China", "Burkina Faso", 2017, [2018], "Type 56", "assault rifle", "Small arms", 1200, "New", ""),
    ("Turkey", "Niger", 2020, [2021], "MKEK MPT-76", "assault rifle", "Small arms", 1000, "New", ""),
    # The Gulf and Yemen: Serbian and Bulgarian weapons to Saudi Arabia and the UAE
    # (reporting by BIRN and OCCRP, 2016) and US equipment later found with forces in Yemen
    # (reporting of 2019); transfers to non-state groups as in UN Panel of Experts reports.
    ("Serbia", "Saudi Arabia", 2015, [2016, 2017], "Zastava M70", "assault rifle", "Small arms", 7000, "New", ""),
    ("Bulgaria", "Saudi Arabia", 2015, [2016], "RPG-7", "rocket launcher", "Light weapons", 1500, "New", ""),
    ("Serbia", "United Arab Emirates", 2016, [2017], "Zastava M84", "machine gun", "Small arms", 900, "New", ""),
    ("United States", "United Arab Emirates", 2016, [2017, 2018], "MRAP", "APC", "Armoured vehicles", 120, "New", "TIV"),
    ("United States", "Saudi Arabia", 2017, [2018, 2019], "M4A1", "carbine", "Small arms", 10000, "New", ""),
    ("United Arab Emirates", "Giants Brigades (Yemen)*", 2018, [2018], "Zastava M70", "assault rifle", "Small arms", 600, "Second hand", "aid"),
    ("Saudi Arabia", "unknown rebel group*", 2017, [2017], "M4A1", "carbine", "Small arms", 200, "Second hand", "aid"),
    ("Iran", "Houthi rebels (Yemen)*", 2015, [2016, 2017, 2018], "Type 56-1", "assault rifle", "Small arms", 2500, "Second hand", ""),
    ("Iran", "Houthi rebels (Yemen)*", 2018, [2019, 2020], "Toophan", "anti-tank missile", "Missiles", 150, "New", "TIV"),
    # Sudan: re-transfers reported by the UN Panel of Experts on Sudan (2024).
    ("United Arab Emirates", "RSF (Sudan)*", 2023, [2023, 2024], "Zastava M05", "assault rifle", "Small arms", 1800, "Second hand", ""),
    # Nigeria, the Philippines, the DRC: state imports where lootings later took place.
    ("China", "Nigeria", 2015, [2016], "Type 56", "assault rifle", "Small arms", 4000, "New", ""),
    ("Czechia", "Nigeria", 2018, [2019], "CZ 805 BREN", "assault rifle", "Small arms", 1200, "New", ""),
    ("United States", "Philippines", 2017, [2017, 2018], "M4A1", "carbine", "Small arms", 3000, "Second hand", "aid"),
    ("Israel", "Philippines", 2018, [2019], "Negev", "machine gun", "Small arms", 400, "New", ""),
    ("Ukraine", "DR Congo", 2014, [2015], "RPG-7", "rocket launcher", "Light weapons", 300, "Second hand", ""),
]


def build_transfers(rng: random.Random) -> list[dict]:
    """Transfers, one row per deal, delivery years listed (`2016;2017`, or `2016:1200;...`
    where the year's number is given)."""
    rows = []
    for i, (sup, rec, order, years, des, desc, cat, n, status, note) in enumerate(TRANSFER_DEALS):
        per_year = [n // len(years)] * len(years)
        per_year[0] += n - sum(per_year)
        # Some deals give each year's number, most only the total.
        with_numbers = len(years) > 1 and rng.random() < 0.35
        dy = ";".join(f"{y}:{k}" if with_numbers else str(y) for y, k in zip(years, per_year))
        tiv = f"{n * rng.uniform(2.0, 12.0):.1f}" if note == "TIV" else ""
        aid = note == "aid"
        rows.append({
            "id": f"TR-{i + 1:04d}",
            "supplier": sup,
            "recipient": rec,
            "order_date": str(order),
            "order_date_estimate": "Yes" if rng.random() < 0.3 else "No",
            "delivery_years": dy,
            "delivery_years_estimate": "Yes" if rng.random() < 0.2 else "No",
            "designation": des,
            "description": desc,
            "armament_category": cat,
            "ordered": str(n),
            "ordered_estimate": "?" if rng.random() < 0.4 else "",
            "delivered": str(n),
            "delivered_estimate": "?" if rng.random() < 0.4 else "",
            "tiv": tiv,
            "status": f"{status}; aid" if aid else status,
            "via": "",
            "financed_by": "",
            "comments": "synthetic: modelled on public reporting",
            "source": "synthetic: transfer register",
        })
    return rows


# ---------------------------------------------------------------------------------------
# Conflict events (synthetic), in the shape of UCDP GED and ACLED records: clusters where
# the demo's seizures and lootings cluster, modelled on the public picture of each conflict.
# ---------------------------------------------------------------------------------------
EVENT_CLUSTERS = [
    # (places, first date, last date, events, type, side_a, side_b, max fatalities)
    (["Imphal", "Churachandpur", "Bishnupur", "Kangpokpi", "Moreh", "Thoubal", "Kakching",
      "Ukhrul", "Moirang", "Jiribam"], date(2023, 5, 3), date(2024, 6, 30), 260,
     "communal violence", "Meitei armed group (unidentified)",
     "Kuki-Zo armed group (unidentified)", 6),
    (["Tijuana", "Ciudad Juarez", "Reynosa", "Nuevo Laredo", "Matamoros", "Culiacan",
      "Nogales", "Mexicali", "Uruapan", "Apatzingan"], date(2018, 1, 1), date(2025, 10, 31),
     300, "armed clash", "Cartel (unidentified)", "Military Forces of Mexico", 8),
    (["Gao", "Kidal", "Timbuktu", "Mopti", "Menaka", "Djibo", "Dori", "Fada Ngourma",
      "Tahoua"], date(2015, 1, 1), date(2025, 9, 30), 160, "state-based",
     "Government of {country}", "JNIM", 25),
    (["Tripoli", "Benghazi", "Sirte", "Misratah", "Sabha"], date(2015, 1, 1),
     date(2020, 10, 31), 40, "state-based", "Government of Libya", "Libyan National Army", 15),
    (["Sanaa", "Hodeidah", "Marib", "Aden"], date(2015, 3, 26), date(2022, 4, 2), 40,
     "state-based", "Government of Yemen", "Houthi rebels (Yemen)*", 30),
    (["Maiduguri", "Kano", "Goma", "Port-au-Prince", "Mogadishu"], date(2015, 1, 1),
     date(2025, 6, 30), 30, "one-sided", "armed group (unidentified)", "Civilians", 10),
]
EVENT_PRECISION = (["exact", "place", "admin1", "country"], [0.55, 0.35, 0.07, 0.03])
GOVERNMENTS = {"MLI": "Mali", "BFA": "Burkina Faso", "NER": "Niger"}


def build_events(rng: random.Random) -> list[dict]:
    """Conflict events of the clusters above, numbered in date order. Within a cluster the
    places are drawn with Zipf weights (the first place of the list most often), as events
    concentrate in a few towns."""
    rows = []
    for places, first, last, n, kind, side_a, side_b, max_dead in EVENT_CLUSTERS:
        span = (last - first).days
        weights = [1 / (i + 1) for i in range(len(places))]
        for _ in range(n):
            d = first + timedelta(days=rng.randrange(span + 1))
            loc = location(rng, wchoice(rng, places, weights), EVENT_PRECISION)
            prec = wchoice(rng, ["day", "week", "month", "year"], [0.82, 0.08, 0.08, 0.02])
            shown = {"day": d.isoformat(), "week": d.isoformat(), "month": d.isoformat()[:7],
                     "year": str(d.year)}[prec]
            dead = min(max_dead, int(rng.expovariate(3 / max_dead)))
            rows.append({
                "date": shown, **loc, "date_precision": prec, "type": kind,
                "side_a": side_a.format(country=GOVERNMENTS.get(loc["country"], "")),
                "side_b": side_b, "fatalities": str(dead),
                "source": "synthetic: conflict event dataset",
            })
    rows.sort(key=lambda r: (r["date"], r["country"], r["place"], r["lat"], r["side_a"]))
    for i, r in enumerate(rows):
        r["id"] = f"EV-{i + 1:05d}"
    return [{c: r[c] for c in EVENT_COLUMNS} for r in rows]


# ---------------------------------------------------------------------------------------
# Malformed rows
# ---------------------------------------------------------------------------------------
def build_bad_rows(seizures: list[dict]) -> list[dict]:
    """13 rows with exactly one defect each, and 3 valid rows. Fully hand-written."""
    base = dict(date="2022-06-14", country="MEX", place="Tijuana", lat="32.5027",
                lon="-117.0037", location_precision="place", category="pistol", quantity="2",
                rounds="", make="Glock", model="19", calibre="9x19mm", serial="", lot="",
                country_of_manufacture="AUT", last_legal_import="USA", origin="USA",
                transit="", destination="MEX", traced_incident_id="", transport_mode="land",
                source="synthetic: customs report", confidence="0.80")
    dup_id = seizures[41]["id"]  # SZ-000042
    country_only = dict(place="", lat="", lon="", location_precision="country")
    specs = [
        ("SZ-900001", {}),                                             # valid
        ("SZ-900002", dict(category="bazooka")),
        ("SZ-900003", dict(lat="123.4")),
        ("SZ-900004", dict(lon="east")),
        ("SZ-900005", dict(date="2031-01-01")),
        ("SZ-900006", dict(date="2023-02-30")),
        (dup_id, dict(date="2021-03-09", place="Nogales", lat="31.3086", lon="-110.9422")),
        ("SZ-900008", dict(country="Atlantis", **country_only)),
        ("SZ-900009", dict(country="Mexcio", **country_only)),
        ("SZ-900010", dict(confidence="1.70")),
        ("SZ-900011", dict(quantity="-3")),
        ("SZ-900012", dict(date="")),
        ("SZ-900013", dict(country="", place="", lat="", lon="", location_precision="")),
        ("SZ-900014", dict(transport_mode="teleport")),
        ("SZ-900015", dict(date="2024-11", country="IND", place="Imphal", lat="24.80805",
                           lon="93.94420", location_precision="exact", category="ammunition",
                           quantity="0", rounds="1200", make="", model="", calibre="7.62x39mm",
                           country_of_manufacture="", last_legal_import="", origin="IND",
                           destination="IND", source="synthetic: police press release",
                           confidence="0.65")),                         # valid
        ("SZ-900016", dict(date="2019", country="AUT", place="", lat="", lon="",
                           location_precision="country", category="assault_rifle",
                           quantity="1", make="Zastava", model="M70", calibre="7.62x39mm",
                           serial="ZA123456", country_of_manufacture="SRB",
                           last_legal_import="", origin="BIH", transit="HRV;SVN",
                           destination="AUT", source="synthetic: police press release",
                           confidence="0.55")),                         # valid
    ]
    rows = []
    for rid, change in specs:
        row = {"id": rid, **base, **change}
        rows.append(row)
    rows.sort(key=lambda r: r["id"])
    return rows


# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------
def to_csv(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r[c] for c in columns])
    return buf.getvalue().encode("utf-8")


def summary(seizures: list[dict], lootings: list[dict], routes: list[dict]) -> str:
    def is_code(value: str, code: str) -> bool:
        return value == code or value in ALIASES.get(code, [])

    mx = [r for r in seizures if is_code(r["country"], "MEX")
          and (r["country_of_manufacture"] or r["last_legal_import"])]
    us = [r for r in mx if is_code(r["country_of_manufacture"], "USA")
          or is_code(r["last_legal_import"], "USA")]
    mx_w = sum(int(r["quantity"]) for r in mx)
    us_w = sum(int(r["quantity"]) for r in us)
    manipur = [r for r in lootings if is_code(r["country"], "IND") and r["date"].startswith("2023")]
    lines = [
        f"seizures.csv: {len(seizures)} rows",
        f"looting.csv: {len(lootings)} rows",
        f"routes.csv: {len(routes)} rows",
        f"Mexico traced firearm seizures: {len(mx)} rows, US-sourced {len(us)} "
        f"({100 * len(us) / max(1, len(mx)):.1f}%); by weapons {us_w}/{mx_w} "
        f"({100 * us_w / max(1, mx_w):.1f}%)",
        f"Manipur 2023 lootings: {len(manipur)} incidents, "
        f"{sum(int(r['weapons_looted']) for r in manipur)} weapons, "
        f"{sum(int(r['rounds_looted']) for r in manipur)} rounds",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parents[2]
    ap.add_argument("--out", type=Path, default=repo / "datasets" / "demo",
                    help="output directory (default: datasets/demo of the repository)")
    args = ap.parse_args(argv)

    lootings, loot_index = build_lootings(random.Random(SEED + 1))
    seizures = build_seizures(random.Random(SEED + 2), loot_index, total=2_000)
    routes = build_routes(random.Random(SEED + 3), total=150)
    bad = build_bad_rows(seizures)
    transfers = build_transfers(random.Random(SEED + 4))
    events = build_events(random.Random(SEED + 5))

    out: Path = args.out
    (out / "malformed").mkdir(parents=True, exist_ok=True)
    files = {
        out / "seizures.csv": to_csv(SEIZURE_COLUMNS, seizures),
        out / "looting.csv": to_csv(LOOTING_COLUMNS, lootings),
        out / "routes.csv": to_csv(ROUTE_COLUMNS, routes),
        out / "transfers.csv": to_csv(TRANSFER_COLUMNS, transfers),
        out / "events.csv": to_csv(EVENT_COLUMNS, events),
        out / "malformed" / "seizures_bad_rows.csv": to_csv(SEIZURE_COLUMNS, bad),
    }
    for path, data in files.items():
        path.write_bytes(data)
    print(summary(seizures, lootings, routes))
    print(f"malformed/seizures_bad_rows.csv: {len(bad)} rows")
    print(f"transfers.csv: {len(transfers)} rows; events.csv: {len(events)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
